"""Page stage: fetch each new entry's page, build its article in a worker process and store the
articles a batch at a time, all at once: while a batch is stored, later pages are fetched and built.

At most `in_flight` entries are between fetching and built at any moment, so a cycle of 10,000
entries holds as many pages in memory as one of 100. Batches are stored in entry order, so which
copy of a story comes first does not depend on which server answered faster.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Engine

from extractors.errors import DestinationRefused
from extractors.events import Watchlist
from extractors.http import Fetcher, HttpPolicy
from flows.building import Built, Page
from flows.fetching import FeedUpdate, PendingEntry
from flows.storing import IngestSummary, StorePlan, store_batch
from flows.workers import ArticleWorkers

# Pages fetched ahead of the workers: enough to cover a slow server's latency at the workers' pace.
_IN_FLIGHT_PER_WORKER = 16
_MIN_IN_FLIGHT = 64


@dataclass(frozen=True)
class PageOutcome:
    """What the page stage stored, and the feeds whose entries link to refused destinations."""

    summary: IngestSummary
    refused: dict[int, str]


def ingest_pages(
    engine: Engine,
    entries: Sequence[PendingEntry],
    *,
    watchlist: Watchlist,
    plan: StorePlan,
    policy: HttpPolicy,
    workers: int,
    batch_size: int,
) -> PageOutcome:
    """Fetch, build and store every entry's article; an entry whose link leads to a refused
    destination is dropped and marks its feed failing (a feed pointing at private addresses is
    misconfigured or hostile)."""
    outcome = PageOutcome(IngestSummary(), {})
    if not entries:
        return outcome
    in_flight = max(_MIN_IN_FLIGHT, _IN_FLIGHT_PER_WORKER * workers)
    with ArticleWorkers(workers, watchlist) as pool, ThreadPoolExecutor(1) as storer:

        def store(batch: list[Built]) -> None:
            store_batch(engine, batch, plan, outcome.summary)

        async def stream() -> None:
            loop = asyncio.get_running_loop()
            gate = asyncio.Semaphore(in_flight)
            today = datetime.now(UTC).date()

            async def one(fetcher: Fetcher, pending: PendingEntry) -> Built | None:
                async with gate:
                    fetched = await fetcher.fetch_or_error(pending.entry.url)
                    if isinstance(fetched, DestinationRefused):
                        outcome.refused.setdefault(
                            pending.feed_id, f"entry link refused: {fetched}"
                        )
                        return None
                    return await pool.build(pending, Page.of(fetched), today=today)

            async with Fetcher(policy) as fetcher, asyncio.TaskGroup() as group:
                chunks = deque(
                    entries[i : i + batch_size] for i in range(0, len(entries), batch_size)
                )

                def start() -> list[asyncio.Task[Built | None]]:
                    return [
                        group.create_task(one(fetcher, pending)) for pending in chunks.popleft()
                    ]

                # One batch ahead keeps the workers busy while a batch is stored; a stored batch's
                # tasks are let go, so their articles do not pile up.
                started = deque([start()])
                while started:
                    if chunks:
                        started.append(start())
                    outcomes = await asyncio.gather(*started.popleft())
                    built = [b for b in outcomes if b is not None]
                    await loop.run_in_executor(storer, store, built)

        asyncio.run(stream())
    return outcome


def mark_refused(updates: Sequence[FeedUpdate], refused: dict[int, str]) -> list[FeedUpdate]:
    """The feed updates with each feed that linked to a refused destination marked failing."""
    return [
        replace(u, outcome="failed", error=refused[u.feed_id]) if u.feed_id in refused else u
        for u in updates
    ]
