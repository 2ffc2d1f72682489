"""Peak memory of one cycle over 10,000 new entries: generated RSS feeds whose items link to the
corpus's pages on local hosts, ingested by `run_cycle` on every core in a fresh process. The peak is
the largest sum, over the samples, of the proportional resident memory (PSS) of that process and
all its descendants (fork server and workers): a page the forked processes share counts once."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from benchmarks.corpora import Corpus
from benchmarks.e2e_bench import Site, bench_settings, prepare, served
from benchmarks.isolated import in_fresh_process
from flows.pipeline import run_cycle
from flows.workers import start_fork_server

ENTRIES_PER_FEED = 200
_SAMPLE_S = 0.2


def generated_site(corpus: Corpus, entries: int) -> Site:
    """`entries` RSS items, `ENTRIES_PER_FEED` to a feed, item n linking to page placeholder n."""
    moment = datetime(2026, 11, 30, tzinfo=UTC)
    feeds = []
    for first in range(0, entries, ENTRIES_PER_FEED):
        items = "".join(
            f"<item><title>Report {n}: ministers meet on border talks</title>"
            f"<link>http://page.invalid/{n}</link><guid isPermaLink='false'>report-{n}</guid>"
            f"<pubDate>{format_datetime(moment - timedelta(minutes=n))}</pubDate>"
            f"<description>Officials from both governments met on day {n} to discuss the "
            "border, trade and the return of detained citizens.</description></item>"
            for n in range(first, min(first + ENTRIES_PER_FEED, entries))
        )
        feeds.append(
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Generated feed {first}</title><link>http://feeds.invalid/</link>{items}"
            "</channel></rss>".encode()
        )
    return Site(tuple(feeds), corpus.pages, entries)


def run(corpus: Corpus, database_url: str, entries: int = 10_000) -> dict[str, float]:
    """One cycle over `entries` new entries (pages served without latency): peak MB, articles."""
    site = generated_site(corpus, entries)
    with served(site, latency_s=0.0) as feed_urls:
        prepare(database_url, feed_urls)
        return in_fresh_process(_cycle, database_url)


def _cycle(database_url: str) -> dict[str, float]:
    start_fork_server()
    peak = [0, 0]  # the whole tree, this process alone
    done = threading.Event()

    def sample() -> None:
        while not done.wait(_SAMPLE_S):
            peak[0] = max(peak[0], tree_memory(os.getpid()))
            peak[1] = max(peak[1], _pss(os.getpid()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = bench_settings(database_url, Path(folder), workers=len(os.sched_getaffinity(0)))
        summary = run_cycle(settings, include_all=True)
    done.set()
    sampler.join()
    return {
        "entries": summary.new_entries,
        "articles": summary.articles_stored,
        "seconds": summary.seconds,
        "peak_mb": peak[0] / 2**20,
        "main_peak_mb": peak[1] / 2**20,
    }


def tree_memory(root: int) -> int:
    """Proportional resident bytes of `root` and every process descending from it."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return sum(_pss(pid) for pid in tree)


def _pss(pid: int) -> int:
    """Proportional set size: resident bytes, a page shared by n processes counting 1/n."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0
