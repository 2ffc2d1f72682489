"""The digest benchmark runs on both databases (its numbers are for `make bench`, not asserted)."""

from __future__ import annotations

from benchmarks.digest_bench import run


def test_digest_benchmark_reports_seconds_to_collect_and_render(database_url: str) -> None:
    result = run(database_url, n=60)
    assert result["incidents"] == 60
    assert set(result) == {"incidents", "fill_s", "collect_s", "render_s", "total_s"}
