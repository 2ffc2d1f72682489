"""What analysts said about incidents and their events: verdicts with the right type, modality or
actors when given, the review state of incidents, precision per type, and holding the pending
alerts of an incident marked wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from storage.db import chunked, one_of
from storage.events import EventRecord, events_by_id, events_for_articles
from storage.models import deliveries, delivery_items, feedback, incidents
from storage.outbox import PENDING

VERDICTS = ("correct", "wrong_type", "wrong_actors", "not_event", "wrong_modality")
HELD = "held"


@dataclass(frozen=True)
class NewFeedback:
    """A verdict on an incident (`event_id` None) or on one of its events."""

    incident_id: int
    verdict: str
    username: str
    event_id: int | None = None
    right_type: str | None = None
    right_modality: str | None = None
    right_actors: str | None = None
    comment: str = ""


@dataclass(frozen=True)
class FeedbackRecord(NewFeedback):
    id: int = 0
    created_at: datetime | None = None

    @property
    def wrong(self) -> bool:
        return self.verdict != "correct"


def add_feedback(conn: Connection, new: NewFeedback, *, now: datetime) -> int:
    if new.verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {new.verdict!r}")
    statement = insert(feedback).values(**vars(new), created_at=now).returning(feedback.c.id)
    return int(conn.execute(statement).scalar_one())


def _record(row: object) -> FeedbackRecord:
    return FeedbackRecord(**row._mapping)  # type: ignore[attr-defined]


def list_feedback(conn: Connection, incident_id: int | None = None) -> list[FeedbackRecord]:
    """Feedback, the newest first (of one incident, when given)."""
    query = select(feedback).order_by(feedback.c.created_at.desc(), feedback.c.id.desc())
    if incident_id is not None:
        query = query.where(feedback.c.incident_id == incident_id)
    return [_record(row) for row in conn.execute(query)]


def reviews(conn: Connection, incident_ids: Iterable[int]) -> dict[int, FeedbackRecord]:
    """The latest verdict on each incident as a whole, for the incidents that have one."""
    found: dict[int, FeedbackRecord] = {}
    for batch in chunked(sorted(set(incident_ids))):
        query = (
            select(feedback)
            .where(one_of(conn, feedback.c.incident_id, batch), feedback.c.event_id.is_(None))
            .order_by(feedback.c.created_at, feedback.c.id)
        )
        for row in conn.execute(query):
            found[row.incident_id] = _record(row)
    return found


@dataclass(frozen=True)
class TypePrecision:
    event_type: str
    reviewed: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.reviewed if self.reviewed else 0.0


def precision_by_type(conn: Connection) -> list[TypePrecision]:
    """Per event type, of the incidents analysts reviewed (their latest verdict), how many were
    right."""
    query = (
        select(feedback.c.incident_id, feedback.c.verdict, incidents.c.event_type)
        .join(incidents, incidents.c.id == feedback.c.incident_id)
        .where(feedback.c.event_id.is_(None))
        .order_by(feedback.c.created_at, feedback.c.id)
    )
    latest = {row.incident_id: (row.event_type, row.verdict) for row in conn.execute(query)}
    counts: dict[str, list[int]] = {}
    for event_type, verdict in latest.values():
        reviewed_correct = counts.setdefault(event_type, [0, 0])
        reviewed_correct[0] += 1
        reviewed_correct[1] += verdict == "correct"
    return [TypePrecision(t, n, c) for t, (n, c) in sorted(counts.items())]


def hold_alerts(conn: Connection, incident_id: int) -> int:
    """Hold the pending deliveries that tell only of incidents marked wrong, this one among them;
    returns how many. A delivery that also tells of another incident still goes out."""
    pending = select(delivery_items.c.delivery_id).join(
        deliveries, deliveries.c.id == delivery_items.c.delivery_id
    )
    pending = pending.where(
        delivery_items.c.incident_id == incident_id, deliveries.c.status == PENDING
    )
    delivery_ids = list(conn.execute(pending).scalars())
    if not delivery_ids:
        return 0
    items = select(delivery_items.c.delivery_id, delivery_items.c.incident_id).where(
        one_of(conn, delivery_items.c.delivery_id, delivery_ids)
    )
    told: dict[int, set[int]] = {}
    for delivery_id, told_incident in conn.execute(items):
        told.setdefault(delivery_id, set()).add(told_incident)
    judged = reviews(conn, {i for ids in told.values() for i in ids})
    held = [
        delivery_id
        for delivery_id, ids in told.items()
        if all(i in judged and judged[i].wrong for i in ids)
    ]
    if held:
        conn.execute(
            update(deliveries)
            .where(one_of(conn, deliveries.c.id, held), deliveries.c.status == PENDING)
            .values(status=HELD)
        )
    return len(held)


def parse_actors(text: str) -> list[dict[str, str]]:
    """ "RUS:source UKR:target" (commas allowed) as labelled actors; ValueError names a bad one."""
    found = []
    for part in text.replace(",", " ").split():
        actor, _, role = part.partition(":")
        if not actor or not role:
            raise ValueError(f"{part!r}: write actors as ID:role, e.g. RUS:source")
        found.append({"id": actor.upper(), "role": role.lower()})
    return found


def _labelled(event: EventRecord) -> dict[str, object]:
    actors = [{"id": a.country or a.actor_id, "role": a.role} for a in event.actors]
    return {"type": event.event_type, "modality": event.modality, "actors": actors}


def _corrected(event: EventRecord, verdict: FeedbackRecord) -> dict[str, object] | None:
    """The event as the analyst says it should have been; None for "not an event"."""
    if verdict.verdict == "not_event":
        return None
    label = _labelled(event)
    if verdict.right_type:
        label["type"] = verdict.right_type
    if verdict.right_modality:
        label["modality"] = verdict.right_modality
    if verdict.right_actors:
        label["actors"] = parse_actors(verdict.right_actors)
    return label


def _complete(verdict: FeedbackRecord) -> bool:
    """Whether the verdict says enough to label the sentence: what was wrong, and what is right."""
    needed = {
        "wrong_type": verdict.right_type,
        "wrong_modality": verdict.right_modality,
        "wrong_actors": verdict.right_actors,
    }
    return verdict.verdict not in needed or bool(needed[verdict.verdict])


def labelled_examples(conn: Connection) -> tuple[list[dict[str, object]], int]:
    """Analysts' latest verdicts as labelled sentences in the format `newswatch eval` reads: the
    evidence sentence with the events the matcher found in it, the judged one corrected (or left
    out: not an event). Returns the examples and how many verdicts lacked the right answer."""
    said = list(reversed(list_feedback(conn)))  # the oldest first: later verdicts win
    judged_incidents = {v.incident_id for v in said if v.event_id is None}
    best_event: dict[int, int] = {}
    for batch in chunked(sorted(judged_incidents)):
        query = select(incidents.c.id, incidents.c.best_event_id).where(
            one_of(conn, incidents.c.id, batch)
        )
        best_event.update({row.id: row.best_event_id for row in conn.execute(query)})
    latest = {verdict.event_id or best_event[verdict.incident_id]: verdict for verdict in said}
    judged = events_by_id(conn, list(latest))
    by_sentence: dict[tuple[int, int, int], list[EventRecord]] = {}
    for event in judged:
        by_sentence.setdefault((event.article_id, event.span_start, event.span_end), [])
    for event in events_for_articles(conn, {key[0] for key in by_sentence}):
        key = (event.article_id, event.span_start, event.span_end)
        if key in by_sentence:
            by_sentence[key].append(event)
    examples: list[dict[str, object]] = []
    skipped = 0
    for key, found in sorted(by_sentence.items()):
        verdicts = {e.id: latest[e.id] for e in found if e.id in latest}
        if not all(_complete(v) for v in verdicts.values()):
            skipped += len(verdicts)
            continue
        labels = [
            _corrected(e, verdicts[e.id]) if e.id in verdicts else _labelled(e) for e in found
        ]
        examples.append(
            {
                "id": f"feedback-{key[0]}-{key[1]}",
                "text": found[0].evidence,
                "events": [label for label in labels if label is not None],
                "reviewed_by": sorted({v.username for v in verdicts.values()}),
            }
        )
    return examples, skipped
