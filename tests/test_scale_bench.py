"""The feed-scaling benchmark runs on both databases; a quiet feed costs a fixed number of queries
(its numbers are for `make bench`, not asserted)."""

from __future__ import annotations

from benchmarks.scale_bench import run


def test_a_quiet_feed_costs_the_same_few_queries_whatever_the_number_of_feeds(
    database_url: str,
) -> None:
    result = run(database_url, n=20)

    assert result["feeds"] == 20
    assert result["queries_per_feed"] <= 3  # its claim, its poll's record: no query per other feed
