"""End to end: the real pipeline (`run_cycle`, events and alerts on) over real feeds and pages
served by slow local hosts, on one core and on all of them, into PostgreSQL and SQLite.

The feeds are the corpus's own, each entry's link pointed at one of its pages on a local host
(feeds whose links cannot be rewritten byte for byte are left out). Each trial runs in a fresh
process pinned to its cores (`sched_setaffinity`), so the workers and the fork server are pinned too;
the servers and the database run outside the pin, as they would on other machines.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from ipaddress import ip_network
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

from benchmarks.corpora import Corpus
from benchmarks.isolated import in_fresh_process
from benchmarks.servers import Responses, slow_hosts
from benchmarks.stages import trafilatura_alone
from extractors.errors import FeedParseError
from extractors.events import load_watchlist
from extractors.feeds import parse_feed
from extractors.http import Fetcher
from flows.building import Page, build_article
from flows.fetching import poll_feeds, read_entries
from flows.pipeline import http_policy, run_cycle
from flows.settings import Settings
from flows.storing import IngestSummary, StorePlan, store_batch
from flows.workers import start_fork_server
from storage import feeds as feed_store
from storage.db import make_engine, upgrade

HOSTS = 32
_PLACEHOLDER = "http://page.invalid/"
_PLACEHOLDER_LINK = re.compile(rb"http://page\.invalid/(\d+)")
SUBSCRIPTIONS = """\
subscriptions:
  - name: everything
    max_per_hour: 100000
    channels:
      - email: [desk@example.org]
    match: {}
"""
# The profile's stages, by the function that does each.
STAGE_FUNCTIONS = {
    "fetch (client)": ("http.py", "fetch"),
    "parse feeds": ("feeds.py", "parse_feed"),
    "extract (trafilatura + language)": ("articles.py", "extract_article"),
    "detect events": ("matcher.py", "detect_events"),
    "store (articles, events, alerts)": ("storing.py", "store_batch"),
}


@dataclass(frozen=True)
class Site:
    """Feeds whose entries link to `http://page.invalid/<n>`, and the pages those links stand for."""

    feeds: tuple[bytes, ...]
    pages: tuple[bytes, ...]
    entries: int

    def responses(self, port: int) -> Responses:
        """Every path of the site with links to the hosts on `port`, page n on host n % HOSTS."""

        def local(match: re.Match[bytes]) -> bytes:
            n = int(match[1])
            return f"http://127.0.0.{2 + n % HOSTS}:{port}/page/{n}".encode()

        pages = {
            f"/page/{n}": ("text/html; charset=utf-8", self.pages[n % len(self.pages)])
            for n in range(self.entries)
        }
        feeds = {
            f"/feed/{i}": ("application/xml", _PLACEHOLDER_LINK.sub(local, feed))
            for i, feed in enumerate(self.feeds)
        }
        return {**pages, **feeds}

    def served_pages(self) -> list[bytes]:
        """The page behind each entry, in entry order."""
        return [self.pages[n % len(self.pages)] for n in range(self.entries)]

    def feed_urls(self, bases: Sequence[str]) -> list[str]:
        return [f"{bases[i % len(bases)]}/feed/{i}" for i in range(len(self.feeds))]


def local_site(corpus: Corpus, entries: int) -> Site:
    """The corpus's feeds, in order, until they hold `entries` entries, each linked to a page."""
    feeds: list[bytes] = []
    count = 0
    for body in corpus.feeds:
        if count >= entries:
            break
        relinked = _relinked(body, first=count)
        if relinked is not None:
            feeds.append(relinked[0])
            count += relinked[1]
    return Site(tuple(feeds), corpus.pages, count)


def _relinked(body: bytes, *, first: int) -> tuple[bytes, int] | None:
    """The feed with entry n's link replaced by the placeholder of page `first + n`, and its entry
    count; None when the feed does not parse or a link is not in its bytes as parsed."""
    try:
        links = [entry.url for entry in parse_feed(body, url="http://feeds.invalid/").entries]
    except FeedParseError:
        return None
    for n, link in enumerate(dict.fromkeys(links)):
        forms = [form.encode() for form in (link, escape(link, quote=False)) if form.isascii()]
        found = next((form for form in forms if form in body), None)
        if found is None:
            return None
        body = body.replace(found, f"{_PLACEHOLDER}{first + n}".encode())
    relinked = parse_feed(body, url="http://feeds.invalid/").entries
    if not relinked or any(not e.url.startswith(_PLACEHOLDER) for e in relinked):
        return None
    return body, len(dict.fromkeys(e.url for e in relinked))


@contextmanager
def served(site: Site, latency_s: float) -> Iterator[list[str]]:
    """The site on `HOSTS` slow local hosts; yields the feeds' URLs."""
    with slow_hosts(HOSTS, latency_s, site.responses) as bases:
        yield site.feed_urls(bases)


def prepare(database_url: str, feed_urls: Sequence[str]) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.begin() as conn:
        for url in feed_urls:
            feed_store.add_feed(conn, url, now=datetime.now(UTC))
    engine.dispose()


def bench_settings(database_url: str, folder: Path, workers: int) -> Settings:
    subscriptions = folder / "subscriptions.yaml"
    subscriptions.write_text(SUBSCRIPTIONS, encoding="utf-8")
    return Settings(
        database_url=database_url,
        allowed_private_networks=(ip_network("127.0.0.0/8"),),
        subscriptions_path=subscriptions,
        workers=workers,
        feed_batch_size=100_000,
    )


def trial(database_url: str, cores: Sequence[int], pages: list[bytes]) -> dict[str, float]:
    """One cycle over every feed, in a fresh process pinned to `cores` with a worker per core;
    `pages` are the pages the entries lead to, for the ceiling."""
    return in_fresh_process(_trial, database_url, tuple(cores), pages)


def _trial(
    database_url: str,
    cores: tuple[int, ...],
    pages: list[bytes],
) -> dict[str, float]:
    os.sched_setaffinity(0, cores)
    start_fork_server()  # a running service has it already: not part of a cycle's cost
    # The ceiling: trafilatura alone on the same pages, on the same core, just before the cycle.
    ceiling = 1000 / trafilatura_alone(pages).ms_per_item if len(cores) == 1 else 0.0
    with tempfile.TemporaryDirectory() as folder:
        settings = bench_settings(database_url, Path(folder), workers=len(cores))
        cpu, machine = _cpu_seconds(), _machine_cpu_seconds()
        summary = run_cycle(settings, include_all=True)
        cpu, machine = _cpu_seconds() - cpu, _machine_cpu_seconds() - machine
    return {
        "cores": len(cores),
        "entries": summary.new_entries,
        "articles": summary.articles_stored,
        "events": summary.events_stored,
        "alerts": summary.alerts_queued,
        "seconds": summary.seconds,
        "articles_per_s": summary.articles_stored / summary.seconds,
        "cpu_s": cpu,
        "others_cpu_s": machine - cpu,
        "trafilatura_per_s": ceiling,
    }


def _cpu_seconds() -> float:
    """CPU time of this process and of the workers: they are the fork server's children, and it
    has counted the ones that ended."""
    server = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    fields = Path(f"/proc/{server}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return time.process_time() + ticks / os.sysconf("SC_CLK_TCK")


def _machine_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy (every process: the servers and the database too)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def stage_profile(database_url: str) -> dict[str, float]:
    """CPU share of each stage: the same stage functions called one after another in this process
    under cProfile (CPU time), over every feed of the prepared database."""
    with tempfile.TemporaryDirectory() as folder:
        settings = bench_settings(database_url, Path(folder), workers=1)
        engine = make_engine(database_url)
        watchlist = load_watchlist()
        plan = StorePlan(watchlist.version, (), timedelta(hours=72))
        with engine.begin() as conn:
            feeds = feed_store.claim_feeds(
                conn,
                now=datetime.now(UTC),
                limit=100_000,
                lease=timedelta(hours=1),
                include_all=True,
            )
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        polls = poll_feeds(feeds, http_policy(settings))
        entries, _ = read_entries(engine, polls)

        async def fetch_pages() -> list[Any]:
            async with Fetcher(http_policy(settings)) as fetcher:
                return await fetcher.fetch_many([p.entry.url for p in entries])

        pages = asyncio.run(fetch_pages())
        today = datetime.now(UTC).date()
        built = [
            build_article(p, Page.of(page), watchlist, today=today)
            for p, page in zip(entries, pages, strict=True)
        ]
        store_batch(engine, built, plan, IngestSummary())
        profiler.disable()
        engine.dispose()
    return _shares(pstats.Stats(profiler))


def _shares(stats: pstats.Stats) -> dict[str, float]:
    table: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in table.values())
    shares: dict[str, float] = {}
    for stage, (file, function) in STAGE_FUNCTIONS.items():
        shares[stage] = sum(
            row[3]
            for (path, _, name), row in table.items()
            if name == function and path.endswith(file)
        ) / max(total, 1e-9)
    shares["other (event loop, queries, dedup)"] = 1 - sum(shares.values())
    return shares


def run(
    corpus: Corpus,
    databases: Sequence[tuple[str, Callable[[], Any]]],
    *,
    latency_s: float = 0.1,
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Trials on one core and on every core for each database, and the stage profile on the last."""
    site = local_site(corpus, entries=2 * len(corpus.pages))
    available = sorted(os.sched_getaffinity(0))
    core_sets = [available[:1]] + ([available] if len(available) > 1 else [])
    rows: list[dict[str, Any]] = []
    profile: dict[str, float] = {}
    with served(site, latency_s) as feed_urls:
        for name, scratch in databases:
            for cores in core_sets:
                with scratch() as url:
                    if url is None:
                        continue
                    prepare(url, feed_urls)
                    result = trial(url, cores, site.served_pages())
                    rows.append({"database": name, "feeds": len(feed_urls), **result})
        with databases[-1][1]() as url:
            if url is not None:
                prepare(url, feed_urls)
                profile = stage_profile(url)
    return rows, profile
