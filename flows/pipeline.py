"""One ingest cycle as plain functions: due feeds -> fetch -> parse -> pages -> extract -> store -> events.

The same stages run in `newswatch run` (called directly) and in the Prefect flow (each wrapped as a task),
so `run_cycle` takes a `wrap` that turns a stage function into whatever should execute it.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ParamSpec, Protocol, TypeVar

from sqlalchemy import Connection, Engine

from alerts.process import process_events
from alerts.subscriptions import Subscription, load_subscriptions
from extractors.articles import extract_article
from extractors.dedup import NEAR_DUPLICATE_MAX_DISTANCE, canonical_url, content_hash, simhash
from extractors.errors import DestinationRefused, FeedParseError, FetchError, HttpStatusError
from extractors.events import Watchlist, detect_events
from extractors.feeds import FeedEntry, parse_feed
from extractors.http import Fetcher, FetchResult, HttpPolicy
from flows.settings import Settings
from flows.watchlist import choose_watchlist
from storage import articles as article_store
from storage import events as event_store
from storage import feeds as feed_store
from storage.db import make_engine
from storage.polling import PollPolicy

P = ParamSpec("P")
R = TypeVar("R")


class Wrap(Protocol):
    """Turns a stage function into what runs it: itself, or a Prefect task."""

    def __call__(self, fn: Callable[P, R], /) -> Callable[P, R]: ...


FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


@dataclass(frozen=True)
class FeedPoll:
    """What fetching one feed gave: a response (maybe 304) or an error."""

    feed: feed_store.FeedRecord
    response: FetchResult | None = None
    error: FetchError | None = None


@dataclass(frozen=True)
class FeedUpdate:
    """The polling state to record for one feed at the end of the cycle."""

    feed_id: int
    url: str
    outcome: str  # "fetched" | "not_modified" | "failed"
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    new_entries: int = 0
    error: str | None = None
    retry_after_s: float | None = None


@dataclass(frozen=True)
class PendingEntry:
    """A feed entry not seen before, waiting for its page."""

    feed_id: int
    entry: FeedEntry
    canonical_url: str


@dataclass(frozen=True)
class Candidates:
    """Articles ready to store, and the feed updates that the page stage changed."""

    articles: tuple[article_store.NewArticle, ...]
    updates: tuple[FeedUpdate, ...]


@dataclass
class IngestSummary:
    """What one cycle did; printed by `newswatch run` and the demo, returned by the flow."""

    feeds_polled: int = 0
    feeds_fetched: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    new_entries: int = 0
    articles_stored: int = 0
    joined_stories: int = 0
    extraction_failures: int = 0
    events_stored: int = 0
    events_by_type: dict[str, int] = field(default_factory=dict)
    incidents_created: int = 0
    incidents_updated: int = 0
    alerts_queued: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    watchlist_version: str = ""
    watchlist_rejected: str | None = None
    seconds: float = 0.0


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


def select_feeds(engine: Engine, *, limit: int, include_all: bool) -> list[feed_store.FeedRecord]:
    """The feeds this cycle polls: those due now (or every feed), oldest first, at most `limit`."""
    with engine.connect() as conn:
        if include_all:
            return feed_store.all_feeds(conn, limit=limit)
        return feed_store.due_feeds(conn, now=datetime.now(UTC), limit=limit)


def poll_feeds(feeds: Sequence[feed_store.FeedRecord], policy: HttpPolicy) -> list[FeedPoll]:
    """Fetch every feed concurrently with a conditional GET."""

    async def fetch_all() -> list[FeedPoll]:
        async with Fetcher(policy) as fetcher:
            return list(await asyncio.gather(*(poll_one(fetcher, feed) for feed in feeds)))

    async def poll_one(fetcher: Fetcher, feed: feed_store.FeedRecord) -> FeedPoll:
        try:
            response = await fetcher.fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified, accept=FEED_ACCEPT
            )
        except FetchError as error:
            return FeedPoll(feed, error=error)
        return FeedPoll(feed, response=response)

    return asyncio.run(fetch_all()) if feeds else []


def read_entries(
    engine: Engine, polls: Sequence[FeedPoll]
) -> tuple[list[PendingEntry], list[FeedUpdate]]:
    """Parse fetched feeds and keep the entries never seen before (by feed + guid, and by URL)."""
    pending: list[PendingEntry] = []
    updates: list[FeedUpdate] = []
    with engine.connect() as conn:
        for poll in polls:
            update, entries = _read_poll(poll)
            fresh = _unseen(conn, poll.feed.id, entries, already=pending)
            pending.extend(fresh)
            updates.append(_with_new_entries(update, len(fresh)))
    return pending, updates


def _read_poll(poll: FeedPoll) -> tuple[FeedUpdate, tuple[FeedEntry, ...]]:
    feed = poll.feed
    if poll.error is not None:
        retry = poll.error.retry_after if isinstance(poll.error, HttpStatusError) else None
        return FeedUpdate(
            feed.id, feed.url, "failed", error=str(poll.error), retry_after_s=retry
        ), ()
    assert poll.response is not None
    response = poll.response
    if response.not_modified:
        return FeedUpdate(feed.id, feed.url, "not_modified"), ()
    try:
        parsed = parse_feed(response.body, url=response.final_url, headers=response.headers)
    except FeedParseError as error:
        return FeedUpdate(feed.id, feed.url, "failed", error=str(error)), ()
    update = FeedUpdate(
        feed.id,
        feed.url,
        "fetched",
        etag=response.etag,
        last_modified=response.last_modified,
        title=parsed.title,
    )
    return update, parsed.entries


def _unseen(
    conn: Connection, feed_id: int, entries: Sequence[FeedEntry], *, already: Sequence[PendingEntry]
) -> list[PendingEntry]:
    candidates = [PendingEntry(feed_id, e, canonical_url(e.url)) for e in entries]
    known_guids = article_store.known_guids(conn, feed_id, [c.entry.guid for c in candidates])
    known_urls = article_store.known_canonical_urls(conn, [c.canonical_url for c in candidates])
    taken = known_urls | {p.canonical_url for p in already}
    fresh: list[PendingEntry] = []
    for candidate in candidates:
        if candidate.entry.guid in known_guids or candidate.canonical_url in taken:
            continue
        taken.add(candidate.canonical_url)
        fresh.append(candidate)
    return fresh


def _with_new_entries(update: FeedUpdate, count: int) -> FeedUpdate:
    return FeedUpdate(**{**update.__dict__, "new_entries": count})


def fetch_pages(
    entries: Sequence[PendingEntry], policy: HttpPolicy
) -> list[FetchResult | FetchError]:
    """Fetch every new entry's page concurrently; errors are returned in place, not raised."""

    async def fetch_all() -> list[FetchResult | FetchError]:
        async with Fetcher(policy) as fetcher:
            return await fetcher.fetch_many([p.entry.url for p in entries])

    return asyncio.run(fetch_all()) if entries else []


def build_articles(
    entries: Sequence[PendingEntry],
    pages: Sequence[FetchResult | FetchError],
    updates: Sequence[FeedUpdate],
) -> Candidates:
    """Extract each page (the feed summary is the fallback) and sign it for dedup.

    An entry whose link leads to a refused destination is dropped and marks its feed failing: a feed
    that points at private addresses is misconfigured or hostile.
    """
    articles: list[article_store.NewArticle] = []
    refused: dict[int, str] = {}
    for pending, page in zip(entries, pages, strict=True):
        if isinstance(page, DestinationRefused):
            refused.setdefault(pending.feed_id, f"entry link refused: {page}")
            continue
        articles.append(_article_from(pending, page))
    return Candidates(tuple(articles), tuple(_mark_refused(u, refused) for u in updates))


def _article_from(
    pending: PendingEntry, page: FetchResult | FetchError
) -> article_store.NewArticle:
    entry = pending.entry
    if isinstance(page, FetchError):
        html, error = b"", f"page not fetched: {page}"
    else:
        html, error = page.body, None
    extracted = extract_article(
        html,
        url=entry.url,
        fallback_title=entry.title,
        fallback_text=entry.summary,
        fallback_published=entry.published,
    )
    if not extracted.extracted and error is None:
        error = "no article text found in the page; feed summary kept"
    return article_store.NewArticle(
        feed_id=pending.feed_id,
        guid=entry.guid,
        url=entry.url,
        canonical_url=pending.canonical_url,
        title=extracted.title or entry.title,
        author=extracted.author or entry.author,
        text=extracted.text,
        summary=entry.summary,
        language=extracted.language,
        published_at=entry.published or extracted.published,
        simhash=simhash(extracted.text),
        content_hash=content_hash(extracted.text),
        extracted=extracted.extracted,
        extraction_error=error,
    )


def _mark_refused(update: FeedUpdate, refused: dict[int, str]) -> FeedUpdate:
    reason = refused.get(update.feed_id)
    if reason is None:
        return update
    return FeedUpdate(update.feed_id, update.url, "failed", error=reason)


def store_cycle(
    engine: Engine,
    candidates: Candidates,
    *,
    watchlist: Watchlist,
    subscriptions: Sequence[Subscription],
    incident_window: timedelta,
    policy: PollPolicy,
    batch_size: int,
) -> IngestSummary:
    """Store articles, their events, the incidents and alerts they cause, and every feed's polling
    state, one transaction per batch (an alert is queued exactly when its event is stored).

    Feed state is written in the last transaction, after the articles: a crash before it leaves the old
    ETag in place, so the next cycle fetches the feed again instead of losing its entries.
    """
    summary = IngestSummary()
    events_by_type: Counter[str] = Counter()
    batches = [
        candidates.articles[i : i + batch_size]
        for i in range(0, len(candidates.articles), batch_size)
    ] or [()]
    for index, batch in enumerate(batches):
        with engine.begin() as conn:
            now = datetime.now(UTC)
            stored = article_store.store_articles(
                conn, batch, now=now, max_distance=NEAR_DUPLICATE_MAX_DISTANCE
            )
            new_events = _detect(stored, watchlist)
            event_ids = event_store.store_new_events(conn, new_events, now=now)
            alerting = process_events(
                conn, event_ids, subscriptions, now=now, window=incident_window
            )
            summary.events_stored += len(event_ids)
            summary.incidents_created += alerting.incidents_created
            summary.incidents_updated += alerting.incidents_updated
            summary.alerts_queued += alerting.alerts
            events_by_type.update(e.event_type for e in new_events)
            summary.articles_stored += len(stored)
            summary.joined_stories += sum(1 for s in stored if not s.new_story)
            summary.extraction_failures += sum(1 for s in stored if not s.extracted)
            if index == len(batches) - 1:
                _record_feeds(conn, candidates.updates, now=now, policy=policy)
    summary.events_by_type = dict(events_by_type)
    return summary


def _detect(
    stored: Sequence[article_store.StoredArticle], watchlist: Watchlist
) -> list[event_store.NewEvent]:
    """Events of the newly stored articles; people's offices are taken on the publication date."""
    found: list[event_store.NewEvent] = []
    for article in stored:
        on = (article.published_at or article.fetched_at).date()
        for event in detect_events(article.text, watchlist, on=on):
            found.append(
                event_store.NewEvent(
                    article_id=article.id,
                    event_type=event.type,
                    modality=event.modality,
                    confidence=event.confidence,
                    evidence=event.evidence,
                    span_start=event.span[0],
                    span_end=event.span[1],
                    watchlist_version=watchlist.version,
                    actors=tuple(
                        event_store.EventActor(a.id, a.name, a.role, a.country)
                        for a in event.actors
                    ),
                )
            )
    return found


def _record_feeds(
    conn: Connection, updates: Sequence[FeedUpdate], *, now: datetime, policy: PollPolicy
) -> None:
    for update in updates:
        if update.outcome == "failed":
            feed_store.record_failure(
                conn,
                update.feed_id,
                now=now,
                error=update.error or "unknown error",
                retry_after_s=update.retry_after_s,
                policy=policy,
            )
        elif update.outcome == "not_modified":
            feed_store.record_not_modified(conn, update.feed_id, now=now, policy=policy)
        else:
            feed_store.record_fetched(
                conn,
                update.feed_id,
                now=now,
                etag=update.etag,
                last_modified=update.last_modified,
                new_entries=update.new_entries,
                title=update.title,
                policy=policy,
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


def run_cycle(
    settings: Settings,
    *,
    include_all: bool = False,
    wrap: Wrap = call_directly,
    on_stage: Callable[[str, int], None] | None = None,
) -> IngestSummary:
    """Run one ingest cycle over the due feeds (or every feed) and return what it did."""
    started = time.perf_counter()
    notify = on_stage or (lambda _stage, _count: None)
    engine = make_engine(settings.database_url)
    try:
        choice = choose_watchlist(engine, settings.watchlist_path, now=datetime.now(UTC))
        watchlist = choice.watchlist
        subscriptions = (
            load_subscriptions(settings.subscriptions_path, known_actors=watchlist.actors)
            if settings.subscriptions_path
            else ()
        )
        fetch_policy = http_policy(settings)
        feeds = wrap(select_feeds)(engine, limit=settings.feed_batch_size, include_all=include_all)
        notify("polling feeds", len(feeds))
        polls = wrap(poll_feeds)(feeds, fetch_policy)
        notify("reading entries", len(polls))
        entries, updates = wrap(read_entries)(engine, polls)
        notify("fetching pages", len(entries))
        pages = wrap(fetch_pages)(entries, fetch_policy)
        notify("extracting articles", len(pages))
        candidates = wrap(build_articles)(entries, pages, updates)
        notify("storing", len(candidates.articles))
        summary = wrap(store_cycle)(
            engine,
            candidates,
            watchlist=watchlist,
            subscriptions=subscriptions,
            incident_window=timedelta(hours=settings.incident_window_h),
            policy=poll_policy(settings),
            batch_size=settings.article_batch_size,
        )
    finally:
        engine.dispose()
    summary.watchlist_version = watchlist.version
    summary.watchlist_rejected = choice.rejected
    return summarise(
        summary,
        candidates.updates,
        entries=len(entries),
        seconds=time.perf_counter() - started,
    )
