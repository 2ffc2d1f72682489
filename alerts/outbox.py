"""Writing alerts into the outbox, in the caller's transaction: one delivery per channel, folded
into an unsent one when possible, grouped when the subscription's pace or quiet hours say so."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from alerts.digest import Digest, digest_to_json
from alerts.rules import Alert
from alerts.schedule import HOUR, end_of_quiet_hours, plan_slot
from alerts.subscriptions import Subscription
from storage import digests as digest_store
from storage import outbox as outbox_store


@dataclass
class EnqueueCounts:
    """What enqueuing did, per channel: a new delivery, an item added to a waiting group, an
    unsent delivery brought up to date, or nothing because this exact alert exists already."""

    created: int = 0
    grouped: int = 0
    folded: int = 0
    duplicate: int = 0


def idempotency_key(subscription: str, target_key: str, incident_id: int, version: int) -> str:
    """Stable across retries and re-runs: the same alert of the same incident version maps to it."""
    raw = f"{subscription}\n{target_key}\n{incident_id}\n{version}"
    return hashlib.sha256(raw.encode()).hexdigest()


def digest_key(subscription: str, target_key: str, period_key: str) -> str:
    """One per subscription, channel and period: a week's digest is never queued twice."""
    raw = f"digest\n{subscription}\n{target_key}\n{period_key}"
    return hashlib.sha256(raw.encode()).hexdigest()


def enqueue_digest(
    conn: Connection, subscription: Subscription, digest: Digest, *, now: datetime
) -> int | None:
    """Store `digest` and a delivery for each channel of `subscription`, due now or when its quiet
    hours end; returns the digest id, or None when the period's digest exists already (then nothing
    is written, so running the digest twice sends nothing twice)."""
    period = digest.period
    digest_id = digest_store.save_digest(
        conn,
        subscription=subscription.name,
        period_key=period.key,
        period_start=period.start,
        period_end=period.end,
        content=digest_to_json(digest),
        now=now,
    )
    if digest_id is None:
        return None
    due_at = now
    if subscription.quiet_hours is not None:
        due_at = end_of_quiet_hours(now, subscription.quiet_hours, subscription.timezone) or now
    for channel in subscription.channels:
        outbox_store.create_delivery(
            conn,
            outbox_store.NewDelivery(
                idempotency_key=digest_key(subscription.name, channel.key, period.key),
                subscription=subscription.name,
                channel=channel.kind,
                target_key=channel.key,
                target=channel.to_json(),
                grouped=False,
                due_at=due_at,
                digest_id=digest_id,
            ),
            now=now,
        )
    return digest_id


def _combined(earlier: str | None, later: str | None) -> str | None:
    # The analyst has seen neither: one message tells both changes.
    return "; ".join(r for r in (earlier, later) if r) or None


def enqueue(conn: Connection, alert: Alert, *, now: datetime, counts: EnqueueCounts) -> None:
    """Write `alert` for every channel of its subscription."""
    subscription, incident = alert.subscription, alert.incident
    assert incident.id is not None, "incidents are stored before they alert"
    for channel in subscription.channels:
        name, target_key = subscription.name, channel.key
        unsent = outbox_store.unsent_item(conn, name, target_key, incident.id)
        if unsent is not None:
            # First alert not sent yet: it goes out with the incident as it is then, so a
            # first alert stays a first alert (no reason), and updates add up.
            earlier = unsent.update_reason
            reason = None if earlier is None else _combined(earlier, alert.reason)
            outbox_store.put_item(conn, unsent.delivery_id, incident.id, incident.version, reason)
            counts.folded += 1
            continue
        group_id = outbox_store.open_group(conn, name, target_key)
        if group_id is not None:
            outbox_store.put_item(conn, group_id, incident.id, incident.version, alert.reason)
            counts.grouped += 1
            continue
        recent = outbox_store.recent_due_times(
            conn, name, target_key, since=now - max(HOUR, subscription.cooldown)
        )
        slot = plan_slot(subscription, now, recent)
        delivery_id = outbox_store.create_delivery(
            conn,
            outbox_store.NewDelivery(
                idempotency_key=idempotency_key(name, target_key, incident.id, incident.version),
                subscription=name,
                channel=channel.kind,
                target_key=target_key,
                target=channel.to_json(),
                grouped=slot.grouped,
                due_at=slot.due_at,
            ),
            now=now,
        )
        if delivery_id is None:
            counts.duplicate += 1
            continue
        outbox_store.put_item(conn, delivery_id, incident.id, incident.version, alert.reason)
        counts.created += 1
