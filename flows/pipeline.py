"""One ingest cycle as plain functions: due feeds -> fetch -> parse -> new entries -> pages, built
(extracted, events detected) in worker processes and stored a batch at a time -> feed states.

The stages live in flows/fetching.py, flows/pages.py (with flows/building.py, flows/workers.py) and
flows/storing.py. They run in `newswatch run` (called directly) and in the Prefect flow (each wrapped
as a task), so `run_cycle` takes a `wrap` that turns a stage function into whatever should execute it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ParamSpec, Protocol, TypeVar

from alerts.subscriptions import load_subscriptions
from extractors.http import HttpPolicy
from flows.fetching import FeedUpdate, poll_feeds, read_entries, select_feeds
from flows.pages import ingest_pages, mark_refused
from flows.runs import recorded_run
from flows.settings import Settings
from flows.storing import IngestSummary, StorePlan, record_feeds
from flows.watchlist import choose_watchlist
from storage.db import make_engine, require_current_schema
from storage.polling import PollPolicy

P = ParamSpec("P")
R = TypeVar("R")


class Wrap(Protocol):
    """Turns a stage function into what runs it: itself, or a Prefect task."""

    def __call__(self, fn: Callable[P, R], /) -> Callable[P, R]: ...


def call_directly(fn: Callable[P, R]) -> Callable[P, R]:
    return fn


def http_policy(settings: Settings) -> HttpPolicy:
    return HttpPolicy(
        user_agent=settings.user_agent,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        total_timeout=settings.total_timeout,
        max_body_bytes=settings.max_body_bytes,
        max_redirects=settings.max_redirects,
        per_host_concurrency=settings.per_host_concurrency,
        allowed_networks=settings.allowed_private_networks,
    )


def poll_policy(settings: Settings) -> PollPolicy:
    return PollPolicy(
        min_interval_s=settings.min_poll_interval_s, max_interval_s=settings.max_poll_interval_s
    )


def summarise(
    summary: IngestSummary, updates: Sequence[FeedUpdate], *, entries: int, seconds: float
) -> IngestSummary:
    """Fold the feed outcomes and timing into the stored-articles summary."""
    outcomes = Counter(u.outcome for u in updates)
    summary.feeds_polled = len(updates)
    summary.feeds_fetched = outcomes["fetched"]
    summary.feeds_not_modified = outcomes["not_modified"]
    summary.feeds_failed = outcomes["failed"]
    summary.failures = [(u.url, u.error or "") for u in updates if u.outcome == "failed"]
    summary.new_entries = entries
    summary.seconds = seconds
    return summary


@dataclass
class StageLaps:
    """How long each stage of a cycle took: a stage runs until the next one starts."""

    current: str | None = None
    since: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)

    def start(self, stage: str) -> None:
        self.finish()
        self.current, self.since = stage, time.perf_counter()

    def finish(self) -> dict[str, float]:
        if self.current is not None:
            self.seconds[self.current] = round(time.perf_counter() - self.since, 4)
            self.current = None
        return self.seconds


def run_stats(summary: IngestSummary) -> dict[str, float]:
    """The numbers of a cycle kept with its run record, for `newswatch metrics`."""
    counts = {
        "feeds_polled": summary.feeds_polled,
        "feeds_not_modified": summary.feeds_not_modified,
        "feeds_failed": summary.feeds_failed,
        "articles_stored": summary.articles_stored,
        "events_stored": summary.events_stored,
        "alerts_queued": summary.alerts_queued,
    }
    stages = {f"stage_seconds.{stage}": s for stage, s in summary.stage_seconds.items()}
    return {**counts, **stages}


def run_cycle(
    settings: Settings,
    *,
    include_all: bool = False,
    wrap: Wrap = call_directly,
    on_stage: Callable[[str, int], None] | None = None,
) -> IngestSummary:
    """Run one ingest cycle over the due feeds (or every feed) and return what it did."""
    started = time.perf_counter()
    laps = StageLaps()

    def notify(stage: str, count: int) -> None:
        laps.start(stage)
        if on_stage is not None:
            on_stage(stage, count)

    engine = make_engine(settings.database_url)
    try:
        # A database without the schema or a subscriptions file with mistakes stops the cycle before
        # it starts: they are the operator's to fix, not failed runs.
        require_current_schema(engine)
        choice = choose_watchlist(engine, settings.watchlist_path, now=datetime.now(UTC))
        watchlist = choice.watchlist
        subscriptions = (
            load_subscriptions(settings.subscriptions_path, known_actors=watchlist.actors)
            if settings.subscriptions_path
            else ()
        )
        with recorded_run(engine, "ingest") as note:
            fetch_policy = http_policy(settings)
            feeds = wrap(select_feeds)(
                engine,
                limit=settings.feed_batch_size,
                include_all=include_all,
                lease=timedelta(seconds=settings.feed_lease_s),
            )
            notify("polling feeds", len(feeds))
            polls = wrap(poll_feeds)(feeds, fetch_policy)
            notify("reading entries", len(polls))
            entries, updates = wrap(read_entries)(engine, polls)
            notify("fetching and building articles", len(entries))
            plan = StorePlan(
                watchlist_version=watchlist.version,
                subscriptions=subscriptions,
                incident_window=timedelta(hours=settings.incident_window_h),
            )
            pages = wrap(ingest_pages)(
                engine,
                entries,
                watchlist=watchlist,
                plan=plan,
                policy=fetch_policy,
                workers=settings.workers,
                batch_size=settings.article_batch_size,
            )
            notify("recording feeds", len(updates))
            updates = mark_refused(updates, pages.refused)
            wrap(record_feeds)(engine, updates, poll_policy(settings))
            summary = pages.summary
            summary.stage_seconds = laps.finish()
            summary.watchlist_version = watchlist.version
            summary.watchlist_rejected = choice.rejected
            summary = summarise(
                summary,
                updates,
                entries=len(entries),
                seconds=time.perf_counter() - started,
            )
            note.watchlist_version = watchlist.version
            note.stats = run_stats(summary)
            note.detail = (
                f"{summary.feeds_polled} feeds polled, {summary.articles_stored} articles, "
                f"{summary.events_stored} events, {summary.feeds_failed} feeds failing"
            )
    finally:
        engine.dispose()
    return summary
