"""The delivery outbox: rows written with the incident changes that cause them, claimed under a
lease by the delivery pass (`FOR UPDATE SKIP LOCKED` on PostgreSQL), and their outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select, update

from storage.db import chunked, insert_for, one_of
from storage.models import deliveries, delivery_items

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
DEAD = "dead"
_ERROR_MAX = 2000


@dataclass(frozen=True)
class NewDelivery:
    """A delivery to write; `target` names secrets by environment variable only."""

    idempotency_key: str
    subscription: str
    channel: str
    target_key: str
    target: Mapping[str, Any]
    grouped: bool
    due_at: datetime
    digest_id: int | None = None


@dataclass(frozen=True)
class DeliveryRecord:
    """An outbox row. `attempts` counts claims; `claimed_until` is the lease of a claim."""

    id: int
    idempotency_key: str
    subscription: str
    channel: str
    target_key: str
    target: dict[str, Any]
    grouped: bool
    status: str
    attempts: int
    due_at: datetime
    next_attempt_at: datetime
    claimed_until: datetime | None
    claim_token: str | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    digest_id: int | None  # set for a digest: the message is that digest, not incidents


@dataclass(frozen=True)
class DeliveryItem:
    """An incident in a delivery, at the version that caused it; no reason for a first alert."""

    delivery_id: int
    incident_id: int
    incident_version: int
    update_reason: str | None


def create_delivery(conn: Connection, new: NewDelivery, *, now: datetime) -> int | None:
    """Write a pending delivery; None when one with this idempotency key exists already."""
    statement = (
        insert_for(conn, deliveries)
        .values(
            **{**asdict(new), "target": dict(new.target)},
            status=PENDING,
            attempts=0,
            next_attempt_at=new.due_at,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(deliveries.c.id)
    )
    return conn.execute(statement).scalar_one_or_none()


def put_item(
    conn: Connection, delivery_id: int, incident_id: int, version: int, reason: str | None
) -> None:
    """Add an incident to a delivery, or bring the one there up to `version` and `reason`."""
    statement = insert_for(conn, delivery_items).values(
        delivery_id=delivery_id,
        incident_id=incident_id,
        incident_version=version,
        update_reason=reason,
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[delivery_items.c.delivery_id, delivery_items.c.incident_id],
            set_={"incident_version": version, "update_reason": reason},
        )
    )


def _unsent(subscription: str, target_key: str) -> ColumnElement[bool]:
    # Never attempted: whatever is added now goes out in the first and only message.
    return and_(
        deliveries.c.subscription == subscription,
        deliveries.c.target_key == target_key,
        deliveries.c.status == PENDING,
        deliveries.c.attempts == 0,
    )


def unsent_item(
    conn: Connection, subscription: str, target_key: str, incident_id: int
) -> DeliveryItem | None:
    """The item of `incident_id` in a delivery of this channel that was never attempted; the
    delivery is locked (PostgreSQL) so that no pass claims it before this transaction ends."""
    query = (
        select(delivery_items)
        .join(deliveries, deliveries.c.id == delivery_items.c.delivery_id)
        .where(_unsent(subscription, target_key), delivery_items.c.incident_id == incident_id)
        .limit(1)
        .with_for_update(of=deliveries)
    )
    row = conn.execute(query).first()
    return None if row is None else DeliveryItem(**row._mapping)


def open_group(conn: Connection, subscription: str, target_key: str) -> int | None:
    """A grouped delivery of this channel that was never attempted (locked like `unsent_item`)."""
    query = (
        select(deliveries.c.id)
        .where(_unsent(subscription, target_key), deliveries.c.grouped.is_(True))
        .order_by(deliveries.c.due_at)
        .limit(1)
        .with_for_update()
    )
    return conn.execute(query).scalar_one_or_none()


def recent_due_times(
    conn: Connection, subscription: str, target_key: str, *, since: datetime
) -> list[datetime]:
    """When this channel's deliveries due after `since` were (or are) due."""
    query = select(deliveries.c.due_at).where(
        deliveries.c.subscription == subscription,
        deliveries.c.target_key == target_key,
        deliveries.c.due_at > since,
    )
    return list(conn.execute(query).scalars())


def _record(row: Any) -> DeliveryRecord:
    return DeliveryRecord(**row._mapping)


def claim_due(
    conn: Connection, *, now: datetime, limit: int, lease: timedelta, token: str
) -> list[DeliveryRecord]:
    """Claim up to `limit` due deliveries for `lease`: pending ones whose time has come, and ones
    whose claim expired (the claiming process died). Rows another transaction holds are skipped."""
    due = or_(
        and_(deliveries.c.status == PENDING, deliveries.c.next_attempt_at <= now),
        and_(deliveries.c.status == SENDING, deliveries.c.claimed_until <= now),
    )
    picked = (
        select(deliveries.c.id)
        .where(due)
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # SQLite has no row locks: BEGIN IMMEDIATE serialises
    )
    statement = (
        update(deliveries)
        .where(deliveries.c.id.in_(picked.scalar_subquery()))
        .values(
            status=SENDING,
            attempts=deliveries.c.attempts + 1,
            claimed_until=now + lease,
            claim_token=token,
        )
        .returning(*deliveries.c)
    )
    return sorted((_record(row) for row in conn.execute(statement)), key=lambda d: d.id)


def _claimed(delivery_id: int, token: str) -> ColumnElement[bool]:
    return and_(
        deliveries.c.id == delivery_id,
        deliveries.c.status == SENDING,
        deliveries.c.claim_token == token,
    )


def renew_claim(
    conn: Connection, delivery_id: int, token: str, *, now: datetime, until: datetime
) -> bool:
    """Extend a claim that is still ours and unexpired; False when it was lost."""
    statement = (
        update(deliveries)
        .where(_claimed(delivery_id, token), deliveries.c.claimed_until > now)
        .values(claimed_until=until)
    )
    return conn.execute(statement).rowcount == 1


def mark_sent(conn: Connection, delivery_id: int, token: str, *, now: datetime) -> bool:
    statement = (
        update(deliveries)
        .where(_claimed(delivery_id, token))
        .values(status=SENT, sent_at=now, claimed_until=None, claim_token=None)
    )
    return conn.execute(statement).rowcount == 1


def mark_failed(
    conn: Connection, delivery_id: int, token: str, *, error: str, retry_at: datetime | None
) -> bool:
    """Record a failed attempt: pending again from `retry_at`, or dead when it is None."""
    outcome = (
        {"status": DEAD} if retry_at is None else {"status": PENDING, "next_attempt_at": retry_at}
    )
    statement = (
        update(deliveries)
        .where(_claimed(delivery_id, token))
        .values(**outcome, claimed_until=None, claim_token=None, last_error=error[:_ERROR_MAX])
    )
    return conn.execute(statement).rowcount == 1


def bury_abandoned(conn: Connection, *, now: datetime, max_attempts: int) -> int:
    """Mark dead the deliveries whose last allowed claim expired unanswered (each of those claims'
    processes died, perhaps because of the delivery); returns how many."""
    statement = (
        update(deliveries)
        .where(
            deliveries.c.status == SENDING,
            deliveries.c.claimed_until <= now,
            deliveries.c.attempts >= max_attempts,
        )
        .values(
            status=DEAD,
            claimed_until=None,
            claim_token=None,
            last_error=func.coalesce(deliveries.c.last_error, "")
            + f" (claim expired after {max_attempts} attempts)",
        )
    )
    return conn.execute(statement).rowcount


def items_of(conn: Connection, delivery_id: int) -> list[DeliveryItem]:
    query = (
        select(delivery_items)
        .where(delivery_items.c.delivery_id == delivery_id)
        .order_by(delivery_items.c.incident_id)
    )
    return [DeliveryItem(**row._mapping) for row in conn.execute(query)]


def list_deliveries(
    conn: Connection,
    *,
    incident_id: int | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[DeliveryRecord]:
    """Deliveries (of `incident_id`, in `status`), the newest first."""
    query = select(deliveries).order_by(deliveries.c.id.desc()).limit(limit)
    if incident_id is not None:
        with_incident = select(delivery_items.c.delivery_id).where(
            delivery_items.c.incident_id == incident_id
        )
        query = query.where(deliveries.c.id.in_(with_incident))
    if status is not None:
        query = query.where(deliveries.c.status == status)
    return [_record(row) for row in conn.execute(query)]


def status_counts(conn: Connection, incident_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """For each incident, how many of its deliveries are in each status."""
    found: dict[int, dict[str, int]] = {}
    for batch in chunked(sorted(set(incident_ids))):
        query = (
            select(delivery_items.c.incident_id, deliveries.c.status, func.count())
            .join(deliveries, deliveries.c.id == delivery_items.c.delivery_id)
            .where(one_of(conn, delivery_items.c.incident_id, batch))
            .group_by(delivery_items.c.incident_id, deliveries.c.status)
        )
        for incident_id, status, count in conn.execute(query):
            found.setdefault(incident_id, {})[status] = count
    return found
