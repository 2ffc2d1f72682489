"""The feed polling policy as pure functions: adaptive intervals and backoff after failures."""

from __future__ import annotations

import math
from dataclasses import dataclass

# 2**32 times any sane minimum is far past any maximum; the cap keeps the float finite.
_MAX_BACKOFF_EXPONENT = 32


@dataclass(frozen=True)
class PollPolicy:
    """Bounds and factors of the schedule, in seconds. Busy feeds shrink towards the minimum."""

    min_interval_s: int = 300
    max_interval_s: int = 86_400
    shrink_factor: float = 0.5
    grow_factor: float = 1.5

    def __post_init__(self) -> None:
        if not 0 < self.min_interval_s <= self.max_interval_s:
            raise ValueError("need 0 < min_interval_s <= max_interval_s")
        if not 0 < self.shrink_factor <= 1 <= self.grow_factor:
            raise ValueError("need 0 < shrink_factor <= 1 <= grow_factor")


DEFAULT_POLICY = PollPolicy()


def _clamp(seconds: float, policy: PollPolicy) -> int:
    return max(policy.min_interval_s, min(policy.max_interval_s, math.ceil(seconds)))


def next_interval_s(current_s: int, *, new_entries: bool, policy: PollPolicy) -> int:
    """The interval after a successful poll: shorter when it brought new entries, else longer."""
    factor = policy.shrink_factor if new_entries else policy.grow_factor
    return _clamp(current_s * factor, policy)


def failure_delay_s(
    consecutive_failures: int, *, retry_after_s: float | None, policy: PollPolicy
) -> int:
    """Seconds to wait after the `consecutive_failures`-th failure in a row (1 for the first).

    Doubles from the minimum interval; a longer Retry-After from the server wins, and the maximum
    interval caps both, so a feed that a server blocks for a year is still retried daily.
    """
    exponent = min(max(consecutive_failures - 1, 0), _MAX_BACKOFF_EXPONENT)
    delay = policy.min_interval_s * 2.0**exponent
    if retry_after_s is not None:
        delay = max(delay, retry_after_s)
    return _clamp(delay, policy)
