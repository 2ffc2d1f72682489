"""`make bench`: each ingest stage's cost per article, the matcher's MB/s, and the time to build
one week's digest over 10,000 incidents on PostgreSQL, printed as tables.

Ratios are to trafilatura alone on the same pages: extraction is the expected bottleneck (DESIGN.md
ceilings: ~10 ms/page extraction, < 0.2 ms/article storage, 20+ MB/s matching at 10k aliases).
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from ipaddress import ip_network
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from benchmarks import (
    digest_bench,
    fetch_bench,
    latency_bench,
    matcher_bench,
    scale_bench,
    storage_bench,
)
from benchmarks.corpora import Corpus, demo_corpus, perf_corpus
from benchmarks.stages import (
    Timing,
    extract,
    fetch_client_cpu,
    parse,
    trafilatura_alone,
    warm_up,
)
from extractors.events import detect_events, load_watchlist
from flows.pipeline import run_cycle
from flows.settings import Settings
from newswatch.demo_server import DemoServer
from storage import feeds as feed_store
from storage.db import make_engine, upgrade

console = Console(width=110)
POSTGRES_URL = os.environ.get(
    "NEWSWATCH_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DIGEST_INCIDENTS = 10_000
SCALE_FEEDS = (100, 1_000, 10_000)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def scratch_postgres() -> Iterator[str | None]:
    """A throwaway PostgreSQL database, or None when no server answers."""
    name = f"newswatch_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        yield None
        return
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


def stage_table(corpus: Corpus) -> list[str]:
    warm_up(corpus.pages[0])
    baseline = trafilatura_alone(corpus.pages)
    extracted, texts = extract(corpus.pages)
    rows = [
        fetch_client_cpu(corpus.pages),
        parse(corpus.feeds),
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


def end_to_end() -> None:
    """One full cycle over the demo corpus served locally: articles per second, all stages."""
    with tempfile.TemporaryDirectory() as folder, DemoServer() as server:
        url = f"sqlite:///{Path(folder) / 'e2e.db'}"
        upgrade(url)
        engine = make_engine(url)
        with engine.begin() as conn:
            for feed_url in server.feed_urls():
                feed_store.add_feed(conn, feed_url, now=datetime.now(UTC))
        engine.dispose()
        settings = Settings(database_url=url, allowed_private_networks=(ip_network("127.0.0.0/8"),))
        summary = run_cycle(settings, include_all=True)
    rate = summary.articles_stored / summary.seconds
    console.print(
        f"End to end on the demo corpus: {summary.articles_stored} articles in "
        f"{summary.seconds:.2f} s = {rate:.0f} articles/s (DESIGN.md ceiling ~55-60/s per core)"
    )


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


def scale_table() -> None:
    """A cycle over 100, 1,000 and 10,000 feeds with nothing new (all 304) on PostgreSQL."""
    table = Table(
        title="Cost per feed as feeds grow (PostgreSQL, every feed answers 304)",
        caption="target: at 10,000 feeds within 1.3x of the cost at 100",
    )
    for column in ("feeds", "ms per feed poll", "queries per feed", "cycle s", "ratio to 100"):
        table.add_column(column, justify="right")
    first: float | None = None
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


def fetch_line() -> None:
    """Requests in flight at once against slow servers, as a share of the ideal rate."""
    result = fetch_bench.run()
    console.print(
        f"Fetching at concurrency {result['concurrency']:.0f}, {result['latency_s'] * 1000:.0f} ms "
        f"latency: {result['requests']:.0f} requests in {result['seconds']:.2f} s = "
        f"{result['efficiency']:.2f} of the ideal rate (target 0.85)"
    )


def latency_line() -> None:
    """Publication to alert with ingest and notify on (shortened) schedules."""
    result = latency_bench.run()
    console.print(
        f"Publication to alert (polls every {result['poll_s']:.0f} s, deliveries every "
        f"{result['notify_s']:.0f} s): median {result['median_s']:.1f} s, max {result['max_s']:.1f} s; "
        f"target at most {result['target_s']:.0f} s (poll interval + notify interval)"
    )


def main() -> None:
    texts: list[str] = []
    for corpus in (demo_corpus(), perf_corpus()):
        if corpus is not None:
            texts = stage_table(corpus)
    matcher_table(texts)
    end_to_end()
    digest_table()
    scale_table()
    fetch_line()
    latency_line()


if __name__ == "__main__":
    main()
