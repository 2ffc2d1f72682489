"""Digests wired to the settings: the subscriptions file, the period asked for, the database; shared
by `newswatch digest`, the digest flow and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from alerts.digest import Digest, DigestOptions
from alerts.period import Period, day_period, last_full_week, week_period
from alerts.subscriptions import Match, Subscription, load_subscriptions
from alerts.weekly import (
    DigestRun,
    PeriodChoice,
    collect_digest,
    digest_subscriptions,
    queue_digests,
)
from flows.runs import recorded_run
from flows.settings import Settings
from storage.db import make_engine

EVERYTHING = "everything"  # the name of a digest built without a subscription


def period_choice(
    *, week: str | None, since: date | None, until: date | None, now: datetime
) -> PeriodChoice:
    """`week` ("2026-W48"), or the days `since` to `until`, or by default the last full ISO week;
    each in the time zone it is given."""

    def choose(timezone: str) -> Period:
        if week is not None:
            return week_period(week, timezone)
        if since is not None or until is not None:
            first = since or until
            assert first is not None
            return day_period(first, until or now.date(), timezone)
        return last_full_week(now, timezone)

    return choose


def subscriptions_of(settings: Settings) -> tuple[Subscription, ...]:
    if settings.subscriptions_path is None:
        return ()
    return load_subscriptions(settings.subscriptions_path)


def run_digests(
    settings: Settings,
    choose: PeriodChoice,
    *,
    now: datetime,
    subscription: str | None = None,
    every: bool = False,
) -> list[DigestRun]:
    """Build and queue the digests of the chosen subscriptions (see `digest_subscriptions`)."""
    chosen = digest_subscriptions(subscriptions_of(settings), name=subscription, every=every)
    engine = make_engine(settings.database_url)
    try:
        with recorded_run(engine, "digest") as note:
            runs = queue_digests(engine, chosen, choose, now=now, options=digest_options(settings))
            note.detail = ", ".join(
                f"{r.subscription} {r.digest.period.key}: {'queued' if r.queued else 'built before'}"
                for r in runs
            )
    finally:
        engine.dispose()
    return runs


def preview_digest(
    settings: Settings, choose: PeriodChoice, *, now: datetime, subscription: str | None
) -> Digest:
    """The digest of one subscription (or of every incident), built without storing or sending."""
    chosen: Sequence[Subscription] = ()
    if subscription is not None:
        chosen = digest_subscriptions(subscriptions_of(settings), name=subscription)
    name, match, timezone = EVERYTHING, Match(), "UTC"
    if chosen:
        name, match, timezone = chosen[0].name, chosen[0].match, chosen[0].timezone.key
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return collect_digest(
                conn, name, match, choose(timezone), now=now, options=digest_options(settings)
            )
    finally:
        engine.dispose()


def digest_options(settings: Settings) -> DigestOptions:
    return DigestOptions(lookback_weeks=settings.digest_lookback_weeks)
