"""The worker processes that build articles. Extraction and event detection are CPU-bound, so they run
in `NEWSWATCH_WORKERS` processes (default: the cores this process may use) while the main process
fetches pages and stores articles.

Workers start from a fork server that has imported the extractors once, so a pool costs a fork per
worker and one copy of the watchlist, not a fresh interpreter. A worker that dies (a page crashing
lxml, the kernel's OOM killer) breaks the pool: a new one is started, each entry that was in flight
is tried once more, and an entry that breaks the new pool too keeps its feed summary.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from multiprocessing import forkserver

from extractors.events import Watchlist
from flows.building import Built, Page, build_article
from flows.fetching import PendingEntry

logger = logging.getLogger(__name__)

# A worker is replaced after this many articles: what lxml and the allocator keep after big pages
# goes with it, so memory stays flat over long cycles (a new worker costs a fork and ~40 ms).
_TASKS_PER_WORKER = 500
_watchlist: Watchlist | None = None  # a worker's copy, set when it starts


class ArticleWorkers:
    """A pool of `count` processes building articles with `watchlist`; use it as a context manager."""

    def __init__(self, count: int, watchlist: Watchlist) -> None:
        self.count = count
        self._watchlist = watchlist
        self._pool = self._start()

    def __enter__(self) -> ArticleWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    async def build(self, pending: PendingEntry, page: Page, *, today: date) -> Built:
        """Build one entry's article in a worker."""
        for attempt in (1, 2):
            pool = self._pool
            try:
                return await asyncio.get_running_loop().run_in_executor(
                    pool, _build_in_worker, pending, page, today
                )
            except BrokenProcessPool:
                logger.warning(
                    "a worker process died building %s (try %d)", pending.entry.url, attempt
                )
                self._restart(pool)
        lost = Page(b"", "building the article crashed a worker process; feed summary kept")
        return build_article(pending, lost, self._watchlist, today=today)

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.count,
            mp_context=fork_server(),
            max_tasks_per_child=_TASKS_PER_WORKER,
            initializer=_start_worker,
            initargs=(self._watchlist,),
        )

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        # Every entry in flight sees the same broken pool: only the first replaces it.
        if self._pool is broken:
            broken.shutdown(wait=False, cancel_futures=True)
            self._pool = self._start()


def fork_server() -> multiprocessing.context.ForkServerContext:
    """The context whose processes fork from a server that has loaded the extractors; the server
    starts with the first pool (or `start_fork_server`) and lives as long as this process."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["flows.worker_boot"])
    return context


def start_fork_server() -> None:
    """Start the fork server now (about a second) rather than with the first cycle's pool."""
    fork_server()
    forkserver.ensure_running()


def _start_worker(watchlist: Watchlist) -> None:
    global _watchlist
    _watchlist = watchlist


def _build_in_worker(pending: PendingEntry, page: Page, today: date) -> Built:
    assert _watchlist is not None, "worker started without a watchlist"
    return build_article(pending, page, _watchlist, today=today)
