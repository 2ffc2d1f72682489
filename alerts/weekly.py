"""Reading a digest's inputs from the database, and queueing the digests of a period, one per
subscription, each at most once: a digest that exists for the subscription and period is read
back, never built or queued again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from alerts.digest import (
    DEFAULT_OPTIONS,
    Digest,
    DigestOptions,
    build_digest,
    digest_from_json,
    selected,
)
from alerts.health import feed_health
from alerts.outbox import enqueue_digest
from alerts.period import WEEK, Period
from alerts.subscriptions import Match, Subscription
from storage import digests as digest_store
from storage import incidents as incident_store

# The period of a digest, from the subscription's time zone name (weeks are local weeks).
PeriodChoice = Callable[[str], Period]


class UnknownSubscription(LookupError):
    """No subscription has the name asked for."""


@dataclass(frozen=True)
class DigestRun:
    """One subscription's digest; `queued` is False when it had been built before (and is not
    sent again)."""

    subscription: str
    digest: Digest
    queued: bool
    channels: int


def digest_subscriptions(
    subscriptions: Sequence[Subscription], *, name: str | None = None, every: bool = False
) -> list[Subscription]:
    """The subscription called `name`; else every subscription with `every`; else those whose
    delivery is `digest`."""
    if name is not None:
        chosen = [s for s in subscriptions if s.name == name]
        if not chosen:
            known = (
                ", ".join(s.name for s in subscriptions) or "none; set NEWSWATCH_SUBSCRIPTIONS_PATH"
            )
            raise UnknownSubscription(f"no subscription named {name!r} (known: {known})")
        return chosen
    return [s for s in subscriptions if every or s.delivery == "digest"]


def collect_digest(
    conn: Connection,
    subscription: str,
    match: Match,
    period: Period,
    *,
    now: datetime,
    options: DigestOptions = DEFAULT_OPTIONS,
) -> Digest:
    """Read the period's incidents, the period before, the lookback weeks and the feeds, and build
    the digest. Source health is judged at the end of the period, or now if that is earlier."""
    before = period.previous()
    current = selected(
        incident_store.incidents_first_seen(conn, since=period.start, until=period.end), match
    )
    previous = selected(
        incident_store.incidents_first_seen(conn, since=before.start, until=before.end), match
    )
    sources = incident_store.incident_sources(conn, [i.id for i in [*current, *previous] if i.id])
    lookback = period.start - options.lookback_weeks * WEEK
    seen = incident_store.seen_kinds(conn, since=lookback, until=period.start)
    health = feed_health(conn, as_of=min(now, period.end))
    return build_digest(
        subscription,
        period,
        current=current,
        previous=previous,
        sources=sources,
        seen_before=seen,
        health=health,
        generated_at=now,
        options=options,
    )


def queue_digests(
    engine: Engine,
    subscriptions: Sequence[Subscription],
    choose: PeriodChoice,
    *,
    now: datetime,
    options: DigestOptions = DEFAULT_OPTIONS,
) -> list[DigestRun]:
    """Build each subscription's digest of its period and queue it to its channels, in one
    transaction per subscription. Safe to run twice or in two processes at once: the stored digest
    is unique by subscription and period, and only the run that stored it queues deliveries."""
    runs: list[DigestRun] = []
    for subscription in subscriptions:
        period = choose(subscription.timezone.key)
        with engine.begin() as conn:
            existing = digest_store.find_digest(conn, subscription.name, period.key)
            if existing is not None:
                digest = digest_from_json(existing.content)
                runs.append(DigestRun(subscription.name, digest, False, 0))
                continue
            digest = collect_digest(
                conn, subscription.name, subscription.match, period, now=now, options=options
            )
            queued = enqueue_digest(conn, subscription, digest, now=now) is not None
        channels = len(subscription.channels) if queued else 0
        runs.append(DigestRun(subscription.name, digest, queued, channels))
    return runs
