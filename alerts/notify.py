"""The delivery pass: claim due outbox rows, build each message, hand it to its channel, and mark it
sent only once the channel accepted it; failures retry with backoff and jitter, then go dead."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from alerts.channels import (
    DeliveryError,
    EmailTarget,
    Outgoing,
    SlackBotTarget,
    SlackWebhookTarget,
    SmtpSettings,
    Target,
    WebhookTarget,
    deliver,
)
from alerts.digest import digest_from_json
from alerts.message import AlertMessage, alert_item
from alerts.outgoing import alert_outgoing, digest_outgoing
from alerts.targets import ChannelSpec
from extractors.http import HttpPolicy
from storage import digests as digest_store
from storage import incidents as incident_store
from storage import outbox as outbox_store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class TargetError(Exception):
    """A channel cannot be addressed: an environment variable it names is not set."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: attempt n waits between half and all of
    min(max_delay, base_delay * 2**(n-1)), and at least what the service asked for."""

    max_attempts: int = 8
    base_delay_s: float = 30.0
    max_delay_s: float = 3600.0

    def delay_s(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        step = min(self.max_delay_s, self.base_delay_s * 2.0 ** max(attempt - 1, 0))
        # Jitter spreads out the retries of many deliveries that failed together (SMTP down).
        return max(step / 2 + rng.uniform(0, step / 2), retry_after or 0.0)


@dataclass(frozen=True)
class NotifyConfig:
    """What a pass needs besides the database: channel settings, secrets' source, and limits."""

    smtp: SmtpSettings | None
    http: HttpPolicy
    environ: Mapping[str, str] = field(repr=False)  # holds secrets
    retry: RetryPolicy = RetryPolicy()
    batch_size: int = 50
    lease: timedelta = timedelta(minutes=5)


@dataclass
class NotifySummary:
    """What one pass did; `errors` holds (delivery id, error) for each failure."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def _env(environ: Mapping[str, str], name: str | None) -> str:
    value = environ.get(name or "", "").strip()
    if not value:
        raise TargetError(f"environment variable {name} is not set")
    return value


def resolve_target(spec: ChannelSpec, environ: Mapping[str, str]) -> Target:
    """The channel target for `spec`, with its secrets read from `environ`."""
    if spec.kind == "email":
        return EmailTarget(recipients=spec.recipients)
    if spec.kind == "slack_webhook":
        return SlackWebhookTarget(url=_env(environ, spec.url_env))
    if spec.kind == "slack_bot":
        return SlackBotTarget(token=_env(environ, spec.token_env), channel=spec.channel or "")
    if spec.kind == "webhook":
        url = spec.url if spec.url is not None else _env(environ, spec.url_env)
        secret = _env(environ, spec.secret_env) if spec.secret_env else None
        return WebhookTarget(url=url, secret=secret)
    raise TargetError(f"unknown channel kind {spec.kind!r}")


def build_outgoing(conn: Connection, delivery: outbox_store.DeliveryRecord) -> Outgoing:
    """What `delivery` sends: its stored digest as built, or its alert (see `build_message`)."""
    if delivery.digest_id is None:
        return alert_outgoing(build_message(conn, delivery))
    record = digest_store.get_digest(conn, delivery.digest_id)
    assert record is not None, "a digest is deleted only with its deliveries"
    return digest_outgoing(digest_from_json(record.content), delivery.idempotency_key)


def build_message(conn: Connection, delivery: outbox_store.DeliveryRecord) -> AlertMessage:
    """The alert of `delivery`: each incident as it stands now, with every source so far."""
    items = outbox_store.items_of(conn, delivery.id)
    incidents = incident_store.get_incidents(conn, [i.incident_id for i in items])
    sources = incident_store.incident_sources(conn, list(incidents))
    alert_items = [
        alert_item(incidents[i.incident_id], sources.get(i.incident_id, []), i.update_reason)
        for i in items
    ]
    return AlertMessage(
        idempotency_key=delivery.idempotency_key,
        subscription=delivery.subscription,
        items=tuple(alert_items),
        created_at=delivery.created_at,
    )


def notify_pass(
    engine: Engine,
    config: NotifyConfig,
    *,
    clock: Clock = _now,
    rng: random.Random | None = None,
) -> NotifySummary:
    """Deliver the due outbox rows once each; safe to run in several processes at once.

    A claim is a lease: a process that dies after claiming leaves rows that become due again when
    the lease ends. Before each send the lease is renewed, and a row whose lease was lost to a
    slower pass is skipped, not sent twice.
    """
    run = _Pass(engine, config, uuid.uuid4().hex, clock, rng or random.Random())
    with engine.begin() as conn:
        now = clock()
        run.summary.dead += outbox_store.bury_abandoned(
            conn, now=now, max_attempts=config.retry.max_attempts
        )
        claimed = outbox_store.claim_due(
            conn, now=now, limit=config.batch_size, lease=config.lease, token=run.token
        )
    run.summary.claimed = len(claimed)
    for delivery in claimed:
        run.deliver(delivery)
    return run.summary


@dataclass
class _Pass:
    """One pass's claim token, clock and tally."""

    engine: Engine
    config: NotifyConfig
    token: str
    clock: Clock
    rng: random.Random
    summary: NotifySummary = field(default_factory=NotifySummary)

    def deliver(self, delivery: outbox_store.DeliveryRecord) -> None:
        lease = self.config.lease
        with self.engine.begin() as conn:
            now = self.clock()
            if not outbox_store.renew_claim(
                conn, delivery.id, self.token, now=now, until=now + lease
            ):
                self.summary.skipped += 1
                return
            message = build_outgoing(conn, delivery)
        try:
            target = resolve_target(ChannelSpec.from_json(delivery.target), self.config.environ)
            deliver(message, target, smtp=self.config.smtp, http=self.config.http)
        except Exception as error:  # one failing delivery must not stop the others
            if not isinstance(error, DeliveryError | TargetError):
                log.exception("delivery %s: unexpected error", delivery.id)
            self.fail(delivery, error)
            return
        with self.engine.begin() as conn:
            outbox_store.mark_sent(conn, delivery.id, self.token, now=self.clock())
        self.summary.sent += 1

    def fail(self, delivery: outbox_store.DeliveryRecord, error: Exception) -> None:
        """Schedule a retry, or mark the delivery dead: permanent error or attempts used up."""
        retry = self.config.retry
        permanent = isinstance(error, DeliveryError) and error.permanent
        retry_after = error.retry_after if isinstance(error, DeliveryError) else None
        retry_at: datetime | None = None
        if not permanent and delivery.attempts < retry.max_attempts:
            delay = retry.delay_s(delivery.attempts, retry_after, self.rng)
            retry_at = self.clock() + timedelta(seconds=delay)
        reason = str(error) or type(error).__name__
        with self.engine.begin() as conn:
            outbox_store.mark_failed(conn, delivery.id, self.token, error=reason, retry_at=retry_at)
        self.summary.errors.append((delivery.id, reason))
        if retry_at is None:
            self.summary.dead += 1
            log.warning(
                "delivery %s dead after %s attempts: %s", delivery.id, delivery.attempts, reason
            )
        else:
            self.summary.retrying += 1
            log.info("delivery %s failed, retry at %s: %s", delivery.id, retry_at, reason)
