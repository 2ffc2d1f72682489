"""The end-to-end and memory benchmarks run the real pipeline over the demo corpus served by slow
local hosts (their speeds are for `make bench`, never asserted): every entry becomes an article,
the corpus's events are found, and the memory sampler sees the workers."""

from __future__ import annotations

from benchmarks import e2e_bench, memory_bench
from benchmarks.corpora import demo_corpus
from benchmarks.databases import scratch_sqlite


def test_every_served_entry_is_ingested_with_its_events_on_one_core_and_on_all() -> None:
    corpus = demo_corpus()
    site = e2e_bench.local_site(corpus, entries=len(corpus.pages))
    assert site.entries >= len(corpus.pages)
    assert all(b"page.invalid/" in feed for feed in site.feeds)

    rows, profile = e2e_bench.run(corpus, [("SQLite", scratch_sqlite)], latency_s=0.01)

    assert {row["cores"] for row in rows} >= {1}
    for row in rows:
        assert row["articles"] == row["entries"] >= len(corpus.pages)
        assert row["events"] > 0 and row["alerts"] > 0
        assert row["cpu_s"] > 0
    assert rows[0]["trafilatura_per_s"] > 0
    assert profile["extract (trafilatura + language)"] > 0
    assert all(0 <= share <= 1 for share in profile.values()), profile  # no stage counted twice


def test_the_memory_cycle_stores_every_generated_entry_and_measures_the_workers(
    sqlite_url: str,
) -> None:
    result = memory_bench.run(demo_corpus(), sqlite_url, entries=300)

    assert result["entries"] == result["articles"] == 300
    assert result["peak_mb"] > result["main_peak_mb"] > 0
