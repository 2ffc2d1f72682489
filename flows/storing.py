"""Storage stage: articles, events, incidents and alerts, a transaction per batch; then every feed's
polling state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from alerts.process import process_events
from alerts.subscriptions import Subscription
from extractors.dedup import NEAR_DUPLICATE_MAX_DISTANCE
from extractors.events import Event
from flows.building import Built
from flows.fetching import FeedUpdate
from storage import articles as article_store
from storage import events as event_store
from storage import feeds as feed_store
from storage.polling import PollPolicy


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
    stage_seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class StorePlan:
    """What storing needs besides the articles: the watchlist's version, who gets alerts, and how
    long an incident stays open."""

    watchlist_version: str
    subscriptions: Sequence[Subscription]
    incident_window: timedelta


def store_batch(
    engine: Engine, batch: Sequence[Built], plan: StorePlan, summary: IngestSummary
) -> None:
    """Store one batch of articles with their events and the incidents and alerts they cause, in one
    transaction (an alert is queued exactly when its event is stored); count them into `summary`."""
    with engine.begin() as conn:
        now = datetime.now(UTC)
        stored = article_store.store_articles(
            conn, [b.article for b in batch], now=now, max_distance=NEAR_DUPLICATE_MAX_DISTANCE
        )
        events = {(b.article.feed_id, b.article.guid): b.events for b in batch}
        new_events = [
            _new_event(article.id, event, plan.watchlist_version)
            for article in stored
            for event in events[article.feed_id, article.guid]
        ]
        event_ids = event_store.store_new_events(conn, new_events, now=now)
        alerting = process_events(
            conn, event_ids, plan.subscriptions, now=now, window=plan.incident_window
        )
    summary.events_stored += len(event_ids)
    summary.incidents_created += alerting.incidents_created
    summary.incidents_updated += alerting.incidents_updated
    summary.alerts_queued += alerting.alerts
    for event in new_events:
        summary.events_by_type[event.event_type] = (
            summary.events_by_type.get(event.event_type, 0) + 1
        )
    summary.articles_stored += len(stored)
    summary.joined_stories += sum(1 for s in stored if not s.new_story)
    summary.extraction_failures += sum(1 for s in stored if not s.extracted)


def record_feeds(engine: Engine, updates: Sequence[FeedUpdate], policy: PollPolicy) -> None:
    """Every polled feed's new state. Written after the articles: a crash before it leaves the old
    ETag in place, so the next cycle fetches the feed again instead of losing its entries."""
    with engine.begin() as conn:
        _record_feeds(conn, updates, now=datetime.now(UTC), policy=policy)


def _new_event(article_id: int, event: Event, watchlist_version: str) -> event_store.NewEvent:
    return event_store.NewEvent(
        article_id=article_id,
        event_type=event.type,
        modality=event.modality,
        confidence=event.confidence,
        evidence=event.evidence,
        span_start=event.span[0],
        span_end=event.span[1],
        watchlist_version=watchlist_version,
        actors=tuple(event_store.EventActor(a.id, a.name, a.role, a.country) for a in event.actors),
        background=event.background,
        mark=event.mark,
    )


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
