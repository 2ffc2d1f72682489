"""Storage stage: articles, events, incidents, alerts and feed polling state, a transaction per batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from alerts.process import process_events
from alerts.subscriptions import Subscription
from extractors.dedup import NEAR_DUPLICATE_MAX_DISTANCE
from extractors.events import Watchlist, detect_events
from flows.building import Candidates
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
    """Events of the newly stored articles, headline first; people's offices are taken on the
    publication date."""
    found: list[event_store.NewEvent] = []
    for article in stored:
        on = (article.published_at or article.fetched_at).date()
        for event in detect_events(
            event_store.document(article.title, article.text), watchlist, on=on
        ):
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
