"""Incidents and the events they group: the incidents a new report may join, writing them, and
reading them back with every source."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    column,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from storage.db import chunked, one_of
from storage.events import EventRecord, events_by_id
from storage.feeds import outlet_name
from storage.models import (
    articles,
    deliveries,
    delivery_items,
    event_actors,
    events,
    feedback,
    feeds,
    incident_events,
    incidents,
)


@dataclass(frozen=True)
class IncidentActor:
    """An actor of an incident. `id` is the state or organisation: a person or body is counted for
    whom they act (`via` keeps who it was), so "Lavrov visited" and "Russia visited" agree."""

    id: str
    name: str
    role: str
    via: str | None = None


@dataclass(frozen=True)
class Incident:
    """An incident; `id` is None until stored. `version` grows with each change that matters, and
    deliveries are keyed by it. `article_ids` and `story_ids` are those of its reports."""

    id: int | None
    event_type: str
    actor_key: str
    actors: tuple[IncidentActor, ...]
    modality: str
    confidence: float
    evidence: str
    best_event_id: int
    first_seen: datetime
    last_seen: datetime
    article_ids: frozenset[int]
    story_ids: frozenset[int]
    version: int = 1
    mark: str | None = None

    @property
    def source_count(self) -> int:
        return len(self.article_ids)

    @property
    def actor_ids(self) -> frozenset[str]:
        """Every id involved: the states and organisations, and who acted for them."""
        return frozenset(a.id for a in self.actors) | {a.via for a in self.actors if a.via}


@dataclass(frozen=True)
class IncidentSource:
    """One article reporting an incident: its outlet (the feed), and what it said."""

    incident_id: int
    article_id: int
    story_id: int
    outlet: str
    title: str
    url: str
    published_at: datetime | None
    modality: str
    evidence: str


@dataclass(frozen=True)
class UngroupedEvent:
    """A stored event that belongs to no incident yet, with its article's publication time."""

    event: EventRecord
    published_at: datetime | None


def actor_key(actors: Iterable[IncidentActor]) -> str:
    """The actors' ids, sorted and comma-separated ("ARM,AZE"). Roles are left out on purpose:
    outlets (and the matcher) disagree on who did what more often than on who was involved."""
    return ",".join(sorted({a.id for a in actors}))


def ungrouped_events(conn: Connection, event_ids: Iterable[int]) -> list[UngroupedEvent]:
    """The events of `event_ids` not in an incident yet, in no set order."""
    wanted = sorted(set(event_ids))
    grouped: set[int] = set()
    for batch in chunked(wanted):
        query = select(incident_events.c.event_id).where(
            one_of(conn, incident_events.c.event_id, batch)
        )
        grouped.update(conn.execute(query).scalars())
    records = events_by_id(conn, [i for i in wanted if i not in grouped])
    published: dict[int, datetime | None] = {}
    for batch in chunked(sorted({r.article_id for r in records})):
        query = select(articles.c.id, articles.c.published_at).where(
            one_of(conn, articles.c.id, batch)
        )
        published.update({row.id: row.published_at for row in conn.execute(query)})
    return [UngroupedEvent(r, published.get(r.article_id)) for r in records]


def _members(conn: Connection, incident_ids: Sequence[int]) -> dict[int, tuple[set[int], set[int]]]:
    found: dict[int, tuple[set[int], set[int]]] = {i: (set(), set()) for i in incident_ids}
    for batch in chunked(incident_ids):
        query = (
            select(incident_events.c.incident_id, events.c.article_id, articles.c.story_id)
            .join(events, events.c.id == incident_events.c.event_id)
            .join(articles, articles.c.id == events.c.article_id)
            .where(one_of(conn, incident_events.c.incident_id, batch))
        )
        for incident_id, article_id, story_id in conn.execute(query):
            found[incident_id][0].add(article_id)
            found[incident_id][1].add(story_id)
    return found


def _incident(row: Row[Any], members: tuple[set[int], set[int]]) -> Incident:
    return Incident(
        id=row.id,
        event_type=row.event_type,
        actor_key=row.actor_key,
        actors=tuple(IncidentActor(**actor) for actor in row.actors),
        modality=row.modality,
        confidence=row.confidence,
        evidence=row.evidence,
        best_event_id=row.best_event_id,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        article_ids=frozenset(members[0]),
        story_ids=frozenset(members[1]),
        version=row.version,
        mark=row.mark,
    )


def _load(conn: Connection, query: Select[Any]) -> list[Incident]:
    rows = list(conn.execute(query))
    members = _members(conn, [row.id for row in rows])
    return [_incident(row, members[row.id]) for row in rows]


def lock_kinds(conn: Connection, kinds: Iterable[tuple[str, str]]) -> None:
    """Hold, until the transaction ends, a lock on each (event type, actor key), so that two
    processes grouping reports of the same thing at once open one incident, not two. PostgreSQL
    advisory locks, all taken in one statement in a fixed order (no two transactions can wait on
    each other in a cycle); SQLite needs none, its BEGIN IMMEDIATE already serialises writers."""
    if conn.dialect.name != "postgresql":
        return
    keys = sorted({_lock_key(event_type, key) for event_type, key in kinds})
    if keys:
        locks = select(func.pg_advisory_xact_lock(column("k"))).select_from(
            func.unnest(bindparam("keys", keys, type_=ARRAY(BigInteger))).alias("k")
        )
        conn.execute(locks)


def _lock_key(event_type: str, key: str) -> int:
    digest = hashlib.blake2b(f"{event_type}\n{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def candidate_incidents(
    conn: Connection,
    *,
    event_type: str,
    mark: str | None,
    actor_key: str,
    story_id: int,
    since: datetime,
    until: datetime,
) -> list[Incident]:
    """Incidents of `event_type` and `mark` that a report may join: those with the same actor key
    seen between `since` and `until`, and those with a report from story `story_id`."""
    in_story = (
        select(incident_events.c.incident_id)
        .join(events, events.c.id == incident_events.c.event_id)
        .join(articles, articles.c.id == events.c.article_id)
        .where(articles.c.story_id == story_id)
    )
    same_actors = and_(
        incidents.c.actor_key == actor_key,
        incidents.c.last_seen >= since,
        incidents.c.first_seen <= until,
    )
    same_mark = incidents.c.mark.is_(None) if mark is None else incidents.c.mark == mark
    query = select(incidents).where(
        incidents.c.event_type == event_type,
        same_mark,
        or_(same_actors, incidents.c.id.in_(in_story)),
    )
    return _load(conn, query)


def _values(incident: Incident, now: datetime) -> dict[str, Any]:
    return {
        "event_type": incident.event_type,
        "actor_key": incident.actor_key,
        "actors": [asdict(actor) for actor in incident.actors],
        "modality": incident.modality,
        "confidence": incident.confidence,
        "evidence": incident.evidence,
        "best_event_id": incident.best_event_id,
        "first_seen": incident.first_seen,
        "last_seen": incident.last_seen,
        "source_count": incident.source_count,
        "version": incident.version,
        "mark": incident.mark,
        "updated_at": now,
    }


def insert_incident(conn: Connection, incident: Incident, *, now: datetime) -> Incident:
    """Store a new incident; returns it with its id."""
    statement = insert(incidents).values(**_values(incident, now), created_at=now)
    new_id = conn.execute(statement.returning(incidents.c.id)).scalar_one()
    return Incident(**{**incident.__dict__, "id": new_id})


def update_incident(conn: Connection, incident: Incident, *, now: datetime) -> None:
    conn.execute(
        update(incidents).where(incidents.c.id == incident.id).values(**_values(incident, now))
    )


def link_event(conn: Connection, incident_id: int, event_id: int) -> None:
    conn.execute(insert(incident_events).values(incident_id=incident_id, event_id=event_id))


def get_incidents(conn: Connection, incident_ids: Iterable[int]) -> dict[int, Incident]:
    found: dict[int, Incident] = {}
    for batch in chunked(sorted(set(incident_ids))):
        for incident in _load(conn, select(incidents).where(one_of(conn, incidents.c.id, batch))):
            assert incident.id is not None
            found[incident.id] = incident
    return found


def get_incident(conn: Connection, incident_id: int) -> Incident | None:
    return get_incidents(conn, [incident_id]).get(incident_id)


def list_incidents(
    conn: Connection,
    *,
    since: datetime | None = None,
    event_type: str | None = None,
    actor_id: str | None = None,
    limit: int = 100,
) -> list[Incident]:
    """Incidents last seen at or after `since`, of `event_type`, involving `actor_id` (also as the
    state a person or body acted for); the most recently seen first."""
    query = IncidentQuery(event_type=event_type, actor_id=actor_id, since=since)
    return _load(conn, _listed(query).limit(limit))


def incidents_first_seen(conn: Connection, *, since: datetime, until: datetime) -> list[Incident]:
    """Incidents first seen at or after `since` and before `until`, the earliest first."""
    query = (
        select(incidents)
        .where(incidents.c.first_seen >= since, incidents.c.first_seen < until)
        .order_by(incidents.c.first_seen, incidents.c.id)
    )
    return _load(conn, query)


def seen_kinds(conn: Connection, *, since: datetime, until: datetime) -> set[tuple[str, str]]:
    """The (event type, actor key) of every incident first seen between `since` and `until` that
    was not only denied."""
    query = (
        select(incidents.c.event_type, incidents.c.actor_key)
        .where(
            incidents.c.first_seen >= since,
            incidents.c.first_seen < until,
            incidents.c.modality != "negated",
        )
        .distinct()
    )
    return {(row.event_type, row.actor_key) for row in conn.execute(query)}


def incident_sources(
    conn: Connection, incident_ids: Iterable[int]
) -> dict[int, list[IncidentSource]]:
    """Every article reporting each incident, once each, the earliest published first."""
    found: dict[int, list[IncidentSource]] = {}
    seen: set[tuple[int, int]] = set()
    for batch in chunked(sorted(set(incident_ids))):
        query = (
            select(
                incident_events.c.incident_id,
                articles.c.id.label("article_id"),
                articles.c.story_id,
                feeds.c.title.label("feed_title"),
                feeds.c.url.label("feed_url"),
                articles.c.title,
                articles.c.url,
                articles.c.published_at,
                events.c.modality,
                events.c.evidence,
            )
            .join(events, events.c.id == incident_events.c.event_id)
            .join(articles, articles.c.id == events.c.article_id)
            .join(feeds, feeds.c.id == articles.c.feed_id)
            .where(one_of(conn, incident_events.c.incident_id, batch))
            .order_by(articles.c.fetched_at, articles.c.id, events.c.span_start)
        )
        for row in conn.execute(query):
            if (row.incident_id, row.article_id) in seen:
                continue
            seen.add((row.incident_id, row.article_id))
            source = IncidentSource(
                incident_id=row.incident_id,
                article_id=row.article_id,
                story_id=row.story_id,
                outlet=outlet_name(row.feed_title, row.feed_url),
                title=row.title,
                url=row.url,
                published_at=row.published_at,
                modality=row.modality,
                evidence=row.evidence,
            )
            found.setdefault(row.incident_id, []).append(source)
    return found


@dataclass(frozen=True)
class IncidentQuery:
    """What the analysts' incident list filters on; `review` is "unreviewed", "reviewed" or
    "wrong" (the latest verdict on the incident says it is wrong), or None for all."""

    event_type: str | None = None
    actor_id: str | None = None
    modality: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    subscription: str | None = None
    review: str | None = None


def _reviewed(wrong: bool | None) -> ColumnElement[bool]:
    """Incidents with a verdict on the whole incident; with `wrong`, whose latest one is (not)
    "correct"."""
    verdicts = select(feedback.c.id).where(
        feedback.c.incident_id == incidents.c.id, feedback.c.event_id.is_(None)
    )
    if wrong is None:
        return exists(verdicts)
    newer = aliased(feedback)
    latest = verdicts.where(
        ~exists().where(
            newer.c.incident_id == feedback.c.incident_id,
            newer.c.event_id.is_(None),
            or_(
                newer.c.created_at > feedback.c.created_at,
                and_(newer.c.created_at == feedback.c.created_at, newer.c.id > feedback.c.id),
            ),
        ),
        (feedback.c.verdict != "correct") if wrong else (feedback.c.verdict == "correct"),
    )
    return exists(latest)


def _listed(query: IncidentQuery) -> Select[Any]:
    """The incidents `query` asks for, the most recently seen first."""
    conditions: list[ColumnElement[bool]] = []
    if query.event_type:
        conditions.append(incidents.c.event_type == query.event_type)
    if query.modality:
        conditions.append(incidents.c.modality == query.modality)
    if query.since is not None:
        conditions.append(incidents.c.last_seen >= query.since)
    if query.until is not None:
        conditions.append(incidents.c.first_seen < query.until)
    if query.actor_id:
        involving = (
            select(incident_events.c.incident_id)
            .join(event_actors, event_actors.c.event_id == incident_events.c.event_id)
            .where(
                or_(
                    event_actors.c.actor_id == query.actor_id,
                    event_actors.c.country == query.actor_id,
                )
            )
        )
        conditions.append(incidents.c.id.in_(involving))
    if query.subscription:
        alerted = (
            select(delivery_items.c.incident_id)
            .join(deliveries, deliveries.c.id == delivery_items.c.delivery_id)
            .where(deliveries.c.subscription == query.subscription)
        )
        conditions.append(incidents.c.id.in_(alerted))
    if query.review == "unreviewed":
        conditions.append(~_reviewed(None))
    elif query.review in ("reviewed", "wrong"):
        conditions.append(_reviewed(True if query.review == "wrong" else None))
    order = (incidents.c.last_seen.desc(), incidents.c.id.desc())
    return select(incidents).where(*conditions).order_by(*order)


def find_incidents(
    conn: Connection, query: IncidentQuery, *, limit: int = 50, offset: int = 0
) -> tuple[list[Incident], int]:
    """A page of the incidents `query` asks for, the most recently seen first, and how many there
    are in all."""
    listed = _listed(query)
    total = conn.execute(select(func.count()).select_from(listed.order_by(None).subquery()))
    return _load(conn, listed.limit(limit).offset(offset)), int(total.scalar() or 0)


def incident_event_ids(conn: Connection, incident_id: int) -> list[int]:
    """The events grouped into an incident, in the order they joined it."""
    query = (
        select(incident_events.c.event_id)
        .where(incident_events.c.incident_id == incident_id)
        .order_by(incident_events.c.event_id)
    )
    return list(conn.execute(query).scalars())
