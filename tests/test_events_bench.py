"""The matcher benchmark runs and reports MB/s for the shipped and the grown gazetteer."""

from __future__ import annotations

from benchmarks import matcher_bench
from extractors.events import load_watchlist


def test_the_gazetteer_grows_to_ten_thousand_aliases() -> None:
    grown = matcher_bench.grow(load_watchlist())
    assert len(grown.aliases) == matcher_bench.GROWN_SIZE
    assert len(grown.actors) > len(load_watchlist().actors)


def test_run_reports_mb_per_second_for_each_gazetteer_and_method() -> None:
    rows = matcher_bench.run(
        ["Pyongyang sent troops to Russia. Gold prices rose."] * 20, at_least=0.1
    )
    assert [(r["gazetteer"], r["method"]) for r in rows] == [
        ("shipped", "Aho-Corasick, end to end"),
        ("grown to 10,000", "Aho-Corasick, end to end"),
        ("shipped", "regex alternation, actors only"),
        ("grown to 10,000", "regex alternation, actors only"),
    ]
    assert rows[0]["events"] == 20 and rows[1]["events"] == 20
    assert all(isinstance(r["MB/s"], float) and r["MB/s"] > 0 for r in rows)
