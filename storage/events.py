"""Events found in articles, with their actors: idempotent batched writes and the listings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, select

from storage.db import chunked, insert_many, one_of
from storage.models import articles, event_actors, events

# The unique key: the same event detected again with the same watchlist is not stored twice.
_KEY_COLUMNS = (
    events.c.article_id,
    events.c.event_type,
    events.c.mark,
    events.c.span_start,
    events.c.span_end,
    events.c.watchlist_version,
)
_Key = tuple[int, str, str, int, int, str]


@dataclass(frozen=True)
class EventActor:
    """An actor of an event; `country` is the state or organisation a person or body acts for."""

    actor_id: str
    name: str
    role: str
    country: str | None = None


@dataclass(frozen=True)
class NewEvent:
    """An event to store; `span_start`/`span_end` locate `evidence` in the article's `document`."""

    article_id: int
    event_type: str
    modality: str
    confidence: float
    evidence: str
    span_start: int
    span_end: int
    watchlist_version: str
    actors: tuple[EventActor, ...] = ()
    background: bool = False
    mark: str | None = None


@dataclass(frozen=True)
class EventRecord:
    """A stored event, with the story of its article (one incident across outlets)."""

    id: int
    article_id: int
    story_id: int
    event_type: str
    modality: str
    confidence: float
    evidence: str
    span_start: int
    span_end: int
    watchlist_version: str
    detected_at: datetime
    actors: tuple[EventActor, ...]
    background: bool = False
    mark: str | None = None


def document(title: str, text: str) -> str:
    """What events are found in: the headline, a blank line, the text (a headline that the text
    repeats as its first line is not repeated)."""
    title = title.strip()
    if not title or text.lstrip().startswith(title):
        return text
    return f"{title}\n\n{text}"


def _key(event: NewEvent) -> _Key:
    return (
        event.article_id,
        event.event_type,
        event.mark or "",
        event.span_start,
        event.span_end,
        event.watchlist_version,
    )


def store_events(
    conn: Connection, batch: Sequence[NewEvent], *, now: datetime | None = None
) -> int:
    """Store the events of `batch` not stored yet, with their actors; returns how many were new.

    `now` (default: the current time) becomes their `detected_at`.
    """
    return len(store_new_events(conn, batch, now=now))


def store_new_events(
    conn: Connection, batch: Sequence[NewEvent], *, now: datetime | None = None
) -> list[int]:
    """Like `store_events`, returning the ids of the events it inserted (for alerting)."""
    unique: dict[_Key, NewEvent] = {}
    for event in batch:
        unique.setdefault(_key(event), event)
    if not unique:
        return []
    detected_at = now if now is not None else datetime.now(UTC)
    rows = [
        {
            "article_id": e.article_id,
            "event_type": e.event_type,
            "modality": e.modality,
            "confidence": e.confidence,
            "evidence": e.evidence,
            "span_start": e.span_start,
            "span_end": e.span_end,
            "watchlist_version": e.watchlist_version,
            "detected_at": detected_at,
            "background": e.background,
            "mark": e.mark or "",
        }
        for e in unique.values()
    ]
    returning = (events.c.id, *_KEY_COLUMNS)
    stored = insert_many(conn, events, rows, ignore_conflicts=True, returning=returning)
    inserted = {tuple(row[1:]): row[0] for row in stored}
    actor_rows = [
        {
            "event_id": event_id,
            "position": position,
            "actor_id": actor.actor_id,
            "name": actor.name,
            "role": actor.role,
            "country": actor.country,
        }
        for key, event_id in inserted.items()
        for position, actor in enumerate(unique[key].actors)
    ]
    insert_many(conn, event_actors, actor_rows)
    return list(inserted.values())


def _select_events() -> Select[Any]:
    return select(events, articles.c.story_id).join(articles, articles.c.id == events.c.article_id)


def _actors(conn: Connection, event_ids: Sequence[int]) -> dict[int, tuple[EventActor, ...]]:
    found: dict[int, list[EventActor]] = {}
    for batch in chunked(event_ids):
        query = (
            select(event_actors)
            .where(one_of(conn, event_actors.c.event_id, batch))
            .order_by(event_actors.c.event_id, event_actors.c.position)
        )
        for row in conn.execute(query):
            actor = EventActor(row.actor_id, row.name, row.role, row.country)
            found.setdefault(row.event_id, []).append(actor)
    return {event_id: tuple(actors) for event_id, actors in found.items()}


def _records(conn: Connection, queries: Iterable[Select[Any]]) -> list[EventRecord]:
    rows = [row for query in queries for row in conn.execute(query)]
    actors = _actors(conn, [row.id for row in rows])
    return [
        EventRecord(**{**row._mapping, "mark": row.mark or None}, actors=actors.get(row.id, ()))
        for row in rows
    ]


def events_for_articles(conn: Connection, article_ids: Iterable[int]) -> list[EventRecord]:
    """The events of these articles, by article and then by position in the text."""
    order = (events.c.article_id, events.c.span_start, events.c.id)
    queries = (
        _select_events().where(one_of(conn, events.c.article_id, batch)).order_by(*order)
        for batch in chunked(sorted(set(article_ids)))
    )
    return _records(conn, queries)


def events_by_id(conn: Connection, event_ids: Iterable[int]) -> list[EventRecord]:
    """The events with these ids (unknown ids are left out), by id."""
    queries = (
        _select_events().where(one_of(conn, events.c.id, batch)).order_by(events.c.id)
        for batch in chunked(sorted(set(event_ids)))
    )
    return _records(conn, queries)


def list_events(
    conn: Connection,
    *,
    since: datetime | None = None,
    event_type: str | None = None,
    actor_id: str | None = None,
    limit: int = 100,
) -> list[EventRecord]:
    """Events detected at or after `since`, of `event_type`, involving `actor_id`; newest first."""
    query = _select_events().order_by(events.c.detected_at.desc(), events.c.id.desc()).limit(limit)
    if since is not None:
        query = query.where(events.c.detected_at >= since)
    if event_type is not None:
        query = query.where(events.c.event_type == event_type)
    if actor_id is not None:
        with_actor = select(event_actors.c.event_id).where(event_actors.c.actor_id == actor_id)
        query = query.where(events.c.id.in_(with_actor))
    return _records(conn, [query])
