"""The polling policy: busy feeds are polled more often, quiet and failing ones less."""

from __future__ import annotations

from typing import Any

import pytest

from storage.polling import DEFAULT_POLICY, PollPolicy, failure_delay_s, next_interval_s

POLICY = PollPolicy(min_interval_s=300, max_interval_s=86_400)


def test_new_entries_halve_the_interval() -> None:
    assert next_interval_s(3600, new_entries=True, policy=POLICY) == 1800


def test_no_new_entries_grow_the_interval() -> None:
    assert next_interval_s(3600, new_entries=False, policy=POLICY) == 5400


def test_interval_stays_within_bounds() -> None:
    assert next_interval_s(400, new_entries=True, policy=POLICY) == 300
    assert next_interval_s(80_000, new_entries=False, policy=POLICY) == 86_400
    assert next_interval_s(10, new_entries=False, policy=POLICY) == 300


def test_failures_back_off_exponentially_up_to_the_maximum() -> None:
    delays = [failure_delay_s(n, retry_after_s=None, policy=POLICY) for n in range(1, 10)]
    assert delays == [300, 600, 1200, 2400, 4800, 9600, 19_200, 38_400, 76_800]
    assert failure_delay_s(10, retry_after_s=None, policy=POLICY) == 86_400
    assert failure_delay_s(10_000, retry_after_s=None, policy=POLICY) == 86_400


def test_longer_retry_after_wins_but_is_capped() -> None:
    assert failure_delay_s(1, retry_after_s=7200, policy=POLICY) == 7200
    assert failure_delay_s(3, retry_after_s=60, policy=POLICY) == 1200
    assert failure_delay_s(1, retry_after_s=10**9, policy=POLICY) == 86_400


def test_default_policy_is_five_minutes_to_a_day() -> None:
    assert (DEFAULT_POLICY.min_interval_s, DEFAULT_POLICY.max_interval_s) == (300, 86_400)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_interval_s": 0},
        {"min_interval_s": 600, "max_interval_s": 300},
        {"shrink_factor": 1.5},
        {"grow_factor": 0.5},
    ],
)
def test_inconsistent_policies_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        PollPolicy(**kwargs)
