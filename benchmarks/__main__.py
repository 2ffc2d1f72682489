"""`make bench`: each ingest stage's cost per article, the matcher's MB/s, the whole pipeline end to
end on one core and on all, peak memory of a 10,000-entry cycle, one week's digest over 10,000
incidents, cost per feed as feeds grow, fetch efficiency and publication-to-alert latency; then one
table of every target with its ratio.

Ratios are to trafilatura alone on the same pages: extraction is the expected bottleneck (DESIGN.md
ceilings: ~10 ms/page extraction, < 0.2 ms/article storage, 20+ MB/s matching at 10k aliases).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import (
    digest_bench,
    e2e_bench,
    feedparse_bench,
    fetch_bench,
    latency_bench,
    matcher_bench,
    memory_bench,
    scale_bench,
    storage_bench,
    web_bench,
)
from benchmarks.corpora import Corpus, demo_corpus, perf_corpus
from benchmarks.databases import scratch_postgres, scratch_sqlite
from benchmarks.stages import Timing, extract, fetch_client_cpu, trafilatura_alone
from extractors.articles import warm_up
from extractors.events import detect_events, load_watchlist

console = Console(width=140)
DIGEST_INCIDENTS = 10_000
SCALE_FEEDS = (100, 1_000, 10_000)
MEMORY_ENTRIES = 10_000


@dataclass(frozen=True)
class Target:
    """One of issue 10's targets as measured: `ratio` is over 1 when the target is met."""

    measure: str
    value: str
    target: str
    ratio: float


TARGETS: list[Target] = []


def at_least(measure: str, value: float, floor: float, unit: str = "") -> None:
    TARGETS.append(Target(measure, f"{value:.2f}{unit}", f">= {floor:g}{unit}", value / floor))


def at_most(measure: str, value: float, ceiling: float, unit: str = "") -> None:
    TARGETS.append(Target(measure, f"{value:.2f}{unit}", f"<= {ceiling:g}{unit}", ceiling / value))


def store_timings(n: int) -> list[Timing]:
    timings = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite = storage_bench.run(f"sqlite:///{Path(folder) / 'bench.db'}", n)
        timings.append(Timing("store (SQLite, 3 events each)", n, "articles", sqlite["total_ms"]))
    with scratch_postgres() as url:
        if url is not None:
            pg = storage_bench.run(url, n)
            name = "store (PostgreSQL, 3 events each)"
            timings.append(Timing(name, n, "articles", pg["total_ms"]))
    return timings


def match_timing(texts: Sequence[str]) -> Timing:
    watchlist = load_watchlist()
    started = time.perf_counter()
    for text in texts:
        detect_events(text, watchlist)
    ms = (time.perf_counter() - started) * 1000 / max(len(texts), 1)
    return Timing("match events (shipped watchlist)", len(texts), "articles", ms)


def parse_timings(feeds: Sequence[bytes]) -> list[Timing]:
    result = feedparse_bench.run(feeds)
    entries = int(result["entries"])
    fast = f"parse (lxml; feedparser for {result['fallbacks']:.0f} of {len(feeds)} feeds)"
    at_most("feed parsing, ms per entry", result["fast_ms_per_entry"], 1.0, " ms")
    return [
        Timing(fast, entries, "entries", result["fast_ms_per_entry"]),
        Timing("parse (feedparser alone)", entries, "entries", result["feedparser_ms_per_entry"]),
    ]


def stage_table(corpus: Corpus) -> list[str]:
    warm_up()
    baseline = trafilatura_alone(corpus.pages)
    extracted, texts = extract(corpus.pages)
    rows = [
        fetch_client_cpu(corpus.pages),
        *parse_timings(corpus.feeds),
        extracted,
        match_timing(texts),
        *store_timings(2000),
    ]
    table = Table(title=f"Stage cost per item: {corpus.name}", title_justify="left")
    for column in ("stage", "items", "ms / item", "x trafilatura alone"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for timing in [baseline, *rows]:
        table.add_row(
            timing.stage,
            f"{timing.items} {timing.unit}",
            f"{timing.ms_per_item:.3f}",
            f"{timing.ms_per_item / baseline.ms_per_item:.3f}",
        )
    console.print(table)
    return texts


def end_to_end(corpus: Corpus) -> None:
    """The whole pipeline over the corpus served with 100 ms latency, on one core and on all."""
    databases = [("PostgreSQL", scratch_postgres), ("SQLite", scratch_sqlite)]
    rows, profile = e2e_bench.run(corpus, databases)
    table = Table(
        title=f"End to end: {corpus.name}, {rows[0]['feeds'] if rows else 0} feeds on "
        f"{e2e_bench.HOSTS} local hosts, 100 ms per response",
        caption="per core used = articles per CPU-second of the process, its fork server and workers; "
        "others' CPU = the rest of the machine meanwhile (the local hosts, the database); "
        "ceiling = trafilatura alone on the same pages, same core, same run",
    )
    columns = ("database", "cores", "articles", "events", "alerts", "s", "articles/s")
    for column in (
        *columns,
        "per core used",
        "others' CPU s",
        "ceiling/s",
        "x ceiling",
        "x 1 core",
    ):
        table.add_column(column, justify="right")
    one_core: dict[str, dict[str, float]] = {}
    for row in rows:
        single = one_core.setdefault(row["database"], row)
        per_core = row["articles"] / row["cpu_s"]
        ceiling = single["trafilatura_per_s"]
        table.add_row(
            row["database"],
            *(f"{row[key]:.0f}" for key in ("cores", "articles", "events", "alerts")),
            f"{row['seconds']:.1f}",
            f"{row['articles_per_s']:.1f}",
            f"{per_core:.1f}",
            f"{row['others_cpu_s']:.1f}",
            f"{ceiling:.1f}",
            f"{row['articles_per_s'] / row['cores'] / ceiling:.2f}",
            f"{row['articles_per_s'] / single['articles_per_s']:.2f}",
        )
    console.print(table)
    for database, single in one_core.items():
        rate = single["articles_per_s"]
        ceiling = single["trafilatura_per_s"]
        at_least(
            f"trafilatura alone, pages/s on one core (the ceiling, {database} run)", ceiling, 50
        )
        at_least(f"end to end, articles/s on one core ({database})", rate, 50)
        at_least(f"end to end / trafilatura alone ({database})", rate / ceiling, 0.85)
        for row in rows:
            if row["database"] == database and row["cores"] > 1:
                at_least(
                    f"{row['cores']:.0f} cores / one core ({database})",
                    row["articles_per_s"] / rate,
                    1.8,
                )
    shares = Table(
        title="CPU share per stage (cProfile, the stages one after another in one process)"
    )
    shares.add_column("stage")
    shares.add_column("share of CPU", justify="right")
    for stage, share in profile.items():
        shares.add_row(stage, f"{share:.1%}")
    console.print(shares)


def memory_line(corpus: Corpus) -> None:
    """Peak memory of one cycle over `MEMORY_ENTRIES` new entries."""
    with scratch_postgres() as postgres, scratch_sqlite() as sqlite:
        url, name = (postgres, "PostgreSQL") if postgres else (sqlite, "SQLite")
        result = memory_bench.run(corpus, url, MEMORY_ENTRIES)
    console.print(
        f"Peak memory of a cycle over {result['entries']:,.0f} new entries ({name}, every core, "
        f"no latency): {result['peak_mb']:.0f} MB (PSS of the process, fork server and workers; "
        f"{result['main_peak_mb']:.0f} MB the process alone), "
        f"{result['articles']:,.0f} articles in {result['seconds']:.0f} s; target under 500 MB"
    )
    at_most(f"peak memory, {result['entries']:,.0f}-entry cycle", result["peak_mb"], 500, " MB")


def summary_table() -> None:
    table = Table(title="Targets (issue 10): ratio over 1 means met")
    for column in ("measure", "measured", "target", "ratio"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for target in TARGETS:
        mark = "" if target.ratio >= 1 else " (short)"
        table.add_row(target.measure, target.value, target.target, f"{target.ratio:.2f}{mark}")
    console.print(table)


def matcher_table(texts: Sequence[str]) -> None:
    table = Table(title="Matcher throughput (sentence split + actors + triggers + modality)")
    rows = matcher_bench.run(texts)
    for column in rows[0]:
        table.add_column(str(column), justify="right")
    for row in rows:
        table.add_row(*(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values()))
    console.print(table)


def digest_table() -> None:
    """One week's digest over `DIGEST_INCIDENTS` incidents on PostgreSQL: collect, then render."""
    with scratch_postgres() as url:
        if url is None:
            console.print(
                "Weekly digest: skipped, PostgreSQL unreachable (NEWSWATCH_BENCH_POSTGRES_URL)"
            )
            return
        result = digest_bench.run(url, DIGEST_INCIDENTS)
    table = Table(
        title=f"Weekly digest on PostgreSQL, best of {digest_bench.BEST_OF}",
        caption=f"render: HTML, Markdown, JSON, chart; filled in {result['fill_s']:.1f} s",
    )
    for column in ("incidents in the week", "collect s", "render s", "total s"):
        table.add_column(column, justify="right")
    seconds = (f"{result[key]:.3f}" for key in ("collect_s", "render_s", "total_s"))
    table.add_row(f"{result['incidents']:,}", *seconds)
    console.print(table)


def web_table() -> None:
    """The web UI's pages over `DIGEST_INCIDENTS` incidents, on PostgreSQL and SQLite."""
    table = Table(
        title=f"Web UI over {DIGEST_INCIDENTS:,} incidents: ms per page, best of {web_bench.BEST_OF}",
        caption="through the application (routing, queries, templates); target: list <= 500 ms",
    )
    results: dict[str, dict[str, float]] = {}
    with scratch_postgres() as url:
        if url is not None:
            results["PostgreSQL"] = web_bench.run(url, DIGEST_INCIDENTS)
    with scratch_sqlite() as url:
        results["SQLite"] = web_bench.run(url, DIGEST_INCIDENTS)
    table.add_column("page")
    for name in results:
        table.add_column(name, justify="right")
    pages = next(iter(results.values()))
    for page in pages:
        table.add_row(page, *(f"{found[page]:.0f}" for found in results.values()))
    console.print(table)
    for name, found in results.items():
        at_most(
            f"incident list, {DIGEST_INCIDENTS:,} incidents, {name}",
            found["incident list"],
            500,
            " ms",
        )


def scale_table() -> None:
    """A cycle over 100, 1,000 and 10,000 feeds with nothing new (all 304) on PostgreSQL."""
    table = Table(
        title="Cost per feed as feeds grow (PostgreSQL, every feed answers 304)",
        caption="target: at 10,000 feeds within 1.3x of the cost at 100",
    )
    for column in ("feeds", "ms per feed poll", "queries per feed", "cycle s", "ratio to 100"):
        table.add_column(column, justify="right")
    first = 0.0
    for n in SCALE_FEEDS:
        with scratch_postgres() as url:
            if url is None:
                console.print("Cost per feed: skipped, PostgreSQL unreachable")
                return
            result = scale_bench.run(url, n)
        first = first or result["ms_per_feed"]
        table.add_row(
            f"{n:,}",
            f"{result['ms_per_feed']:.2f}",
            f"{result['queries_per_feed']:.2f}",
            f"{result['seconds']:.1f}",
            f"{result['ms_per_feed'] / first:.2f}",
        )
    console.print(table)
    at_most(
        f"cost per feed poll, {n:,} feeds / {SCALE_FEEDS[0]}", result["ms_per_feed"] / first, 1.3
    )


def fetch_line() -> None:
    """Requests in flight at once against slow servers, as a share of the ideal rate."""
    result = fetch_bench.run()
    console.print(
        f"Fetching at concurrency {result['concurrency']:.0f}, {result['latency_s'] * 1000:.0f} ms "
        f"latency: {result['requests']:.0f} requests in {result['seconds']:.2f} s = "
        f"{result['efficiency']:.2f} of the ideal rate (target 0.85)"
    )
    at_least("fetch efficiency, concurrency 50 at 100 ms", result["efficiency"], 0.85)


def latency_line() -> None:
    """Publication to alert with ingest and notify on (shortened) schedules."""
    result = latency_bench.run()
    console.print(
        f"Publication to alert (polls every {result['poll_s']:.0f} s, deliveries every "
        f"{result['notify_s']:.0f} s): median {result['median_s']:.1f} s, max {result['max_s']:.1f} s; "
        f"target at most {result['target_s']:.0f} s (poll interval + notify interval)"
    )
    at_most("publication to alert, worst", result["max_s"], result["target_s"], " s")


def main() -> None:
    corpora = [corpus for corpus in (demo_corpus(), perf_corpus()) if corpus is not None]
    texts: list[str] = []
    for corpus in corpora:
        TARGETS.clear()  # the targets are those of the last corpus: the real one when present
        texts = stage_table(corpus)
    matcher_table(texts)
    end_to_end(corpora[-1])
    memory_line(corpora[-1])
    digest_table()
    web_table()
    scale_table()
    fetch_line()
    latency_line()
    summary_table()


if __name__ == "__main__":
    main()
