"""The fetching benchmark runs: every request to its slow loopback hosts succeeds (its efficiency
is for `make bench`, not asserted)."""

from __future__ import annotations

from benchmarks.fetch_bench import run


def test_every_request_of_the_fetch_benchmark_succeeds() -> None:
    result = run(concurrency=5, latency_s=0.02, rounds=2)

    assert result["requests"] == 10 and result["efficiency"] > 0
