"""The web UI benchmark runs on both databases (its numbers are for `make bench`, not asserted)."""

from __future__ import annotations

from benchmarks.web_bench import PAGES, run


def test_web_benchmark_times_every_page(database_url: str) -> None:
    result = run(database_url, n=60)
    assert set(result) == {*PAGES, "incident page"}
    assert all(ms > 0 for ms in result.values())
