"""The storage benchmark runs on both databases (its numbers are for `make bench`, not asserted)."""

from __future__ import annotations

from benchmarks.storage_bench import run


def test_storage_benchmark_reports_milliseconds_per_article(database_url: str) -> None:
    result = run(database_url, n=30)
    assert result["articles"] == 30
    assert set(result) == {"articles", "articles_ms", "events_ms", "total_ms"}
