"""The publication-to-alert harness: an article published on a local feed reaches the inbox of a
real SMTP server while ingest and notify run on their schedules (its timing is for `make bench`)."""

from __future__ import annotations

from benchmarks.latency_bench import run


def test_a_new_article_reaches_the_inbox_on_schedule() -> None:
    result = run(poll_s=2, notify_s=1, reports=2)

    assert result["median_s"] > 0 and result["target_s"] == 3
