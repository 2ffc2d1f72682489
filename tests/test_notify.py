"""The delivery pass on real servers: an aiosmtpd SMTP server, local HTTP servers for Slack and the
webhook, SQLite and PostgreSQL. Every delivery is sent once: with two passes at once, across an SMTP
outage, and after a process died holding its claim."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from ipaddress import ip_network
from pathlib import Path

import pytest
from sqlalchemy import Engine

from alerts.channels import SmtpSettings
from alerts.channels.email import message_id
from alerts.channels.webhook import IDEMPOTENCY_HEADER
from alerts.notify import NotifyConfig, RetryPolicy, build_message, notify_pass
from alerts.process import process_events
from extractors.events import detect_events, load_watchlist
from extractors.events.model import EventActor as DetectedActor
from extractors.http import HttpPolicy
from flows.notify import notify_flow
from newswatch.demo_alerts import SmtpSink, WebhookReceiver
from storage import outbox as outbox_store
from storage.db import make_engine, upgrade
from storage.events import EventActor
from tests.alerting_data import NOW, PRK, Ev, publish, subscriptions

REPO_ROOT = Path(__file__).resolve().parent.parent
SUBSCRIPTIONS = """\
subscriptions:
  - name: korea-desk
    max_per_hour: 1000
    channels:
      - email: [desk@example.org]
      - slack_webhook: {url_env: TEST_SLACK_URL}
      - webhook: {url_env: TEST_HOOK_URL, secret_env: TEST_HOOK_SECRET}
    match:
      actors: [PRK]
"""


class Clock:
    """A settable clock: tests move time past leases and backoff instead of sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_config(
    smtp_port: int, receiver: WebhookReceiver, *, max_attempts: int = 8, batch_size: int = 50
) -> NotifyConfig:
    return NotifyConfig(
        smtp=SmtpSettings(host="127.0.0.1", port=smtp_port, security="none", timeout=5),
        http=HttpPolicy(allowed_networks=(ip_network("127.0.0.0/8"),), read_timeout=5),
        environ={
            "TEST_SLACK_URL": receiver.url("/slack"),
            "TEST_HOOK_URL": receiver.url("/hook"),
            "TEST_HOOK_SECRET": "hook-secret",
        },
        retry=RetryPolicy(max_attempts=max_attempts),
        batch_size=batch_size,
    )


def incidents(engine: Engine, count: int = 1, *, yaml_text: str = SUBSCRIPTIONS) -> None:
    """`count` incidents involving North Korea, each with one alert per channel."""
    with engine.begin() as conn:
        for n in range(count):
            partner = EventActor(f"X{n:03d}", f"State {n}", "target")
            event_ids = publish(conn, "wire", f"a{n}", [Ev(actors=(PRK, partner))])
            process_events(conn, event_ids, subscriptions(yaml_text), now=NOW)


def statuses(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {d.channel: d.status for d in outbox_store.list_deliveries(conn)}


def message_ids(inbox: SmtpSink) -> list[str]:
    return [str(message_from_bytes(m, policy=policy.default)["Message-ID"]) for m in inbox.messages]


def test_a_pass_delivers_to_every_channel_once(
    engine: Engine, inbox: SmtpSink, receiver: WebhookReceiver
) -> None:
    incidents(engine)
    config = make_config(inbox.port, receiver)
    summary = notify_pass(engine, config, clock=Clock(NOW))
    assert (summary.claimed, summary.sent, summary.errors) == (3, 3, [])
    assert statuses(engine) == {"email": "sent", "slack_webhook": "sent", "webhook": "sent"}
    with engine.connect() as conn:
        keys = {d.channel: d.idempotency_key for d in outbox_store.list_deliveries(conn)}
    assert message_ids(inbox) == [message_id(keys["email"])]
    assert [p.path for p in receiver.posts] == ["/slack", "/hook"]
    assert receiver.posts[1].headers[IDEMPOTENCY_HEADER] == keys["webhook"]
    assert notify_pass(engine, config, clock=Clock(NOW + timedelta(hours=1))).claimed == 0
    assert len(inbox.messages) == 1 and len(receiver.posts) == 2


def test_two_passes_at_once_send_every_delivery_exactly_once(
    engine: Engine, inbox: SmtpSink, receiver: WebhookReceiver
) -> None:
    incidents(engine, 30)
    config = make_config(inbox.port, receiver, batch_size=4)
    start = threading.Barrier(2)
    claimed: list[int] = []

    def worker() -> None:
        start.wait()
        while (summary := notify_pass(engine, config, clock=Clock(NOW))).claimed:
            claimed.append(summary.sent)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(claimed) == 90
    ids = message_ids(inbox)
    assert len(ids) == 30 and len(set(ids)) == 30
    assert len(receiver.posts) == 60
    hook_keys = [p.headers[IDEMPOTENCY_HEADER] for p in receiver.posts if p.path == "/hook"]
    assert len(set(hook_keys)) == 30
    assert set(statuses(engine).values()) == {"sent"}


def test_deliveries_wait_out_an_smtp_outage_and_are_sent_once(
    engine: Engine, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    incidents(engine)
    down = SmtpSink(tmp_path / "mail")  # its port is reserved but nothing listens yet
    config = make_config(down.port, receiver)
    clock = Clock(NOW)
    first = notify_pass(engine, config, clock=clock, rng=random.Random(1))
    assert (first.sent, first.retrying) == (2, 1)
    with engine.connect() as conn:
        (email,) = outbox_store.list_deliveries(conn, status="pending")
    assert email.attempts == 1 and "127.0.0.1" in (email.last_error or "")
    assert NOW + timedelta(seconds=15) <= email.next_attempt_at <= NOW + timedelta(seconds=30)
    assert notify_pass(engine, config, clock=clock).claimed == 0  # not due yet
    down.start()
    try:
        clock.now = NOW + timedelta(minutes=1)
        assert notify_pass(engine, config, clock=clock).sent == 1
        clock.now = NOW + timedelta(hours=1)
        assert notify_pass(engine, config, clock=clock).claimed == 0
        assert len(down.messages) == 1
    finally:
        down.stop()
    assert statuses(engine)["email"] == "sent"


CLAIM_AND_HANG = """
import sys, time
from datetime import UTC, datetime, timedelta
from storage.db import make_engine
from storage.outbox import claim_due
engine = make_engine(sys.argv[1])
lease = timedelta(minutes=5)
with engine.begin() as conn:
    claimed = claim_due(conn, now=datetime.now(UTC), limit=10, lease=lease, token="x")
print(len(claimed), flush=True)
time.sleep(120)
"""


def test_a_claim_held_by_a_killed_process_is_sent_by_the_next_pass(
    engine: Engine, database_url: str, inbox: SmtpSink, receiver: WebhookReceiver
) -> None:
    incidents(engine)
    command = [sys.executable, "-c", CLAIM_AND_HANG, database_url]
    with subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "3"
        process.kill()  # dies between claim and send
    config = make_config(inbox.port, receiver)
    now = datetime.now(NOW.tzinfo)
    assert notify_pass(engine, config, clock=Clock(now)).claimed == 0  # the lease still holds
    after_lease = Clock(now + config.lease + timedelta(seconds=1))
    assert notify_pass(engine, config, clock=after_lease).sent == 3
    assert notify_pass(engine, config, clock=after_lease).claimed == 0
    assert len(inbox.messages) == 1 and len(receiver.posts) == 2


def test_a_permanent_error_is_dead_at_once_without_the_secret_url(
    engine: Engine, inbox: SmtpSink, receiver: WebhookReceiver
) -> None:
    incidents(engine)
    receiver.status = 404
    summary = notify_pass(engine, make_config(inbox.port, receiver), clock=Clock(NOW))
    assert (summary.sent, summary.dead) == (1, 2)
    with engine.connect() as conn:
        dead = outbox_store.list_deliveries(conn, status="dead")
    assert all("404" in (d.last_error or "") for d in dead)
    assert all("/slack" not in (d.last_error or "") for d in dead)


def test_retries_stop_after_the_last_attempt_with_its_error(
    engine: Engine, inbox: SmtpSink, receiver: WebhookReceiver
) -> None:
    incidents(engine)
    receiver.status = 503
    config = make_config(inbox.port, receiver, max_attempts=2)
    clock = Clock(NOW)
    assert notify_pass(engine, config, clock=clock).retrying == 2
    clock.now = NOW + timedelta(minutes=5)
    summary = notify_pass(engine, config, clock=clock)
    assert (summary.claimed, summary.dead) == (2, 2)
    with engine.connect() as conn:
        dead = outbox_store.list_deliveries(conn, status="dead")
    assert [d.attempts for d in dead] == [2, 2]
    assert all("503" in (d.last_error or "") for d in dead)


def test_a_missing_secret_is_retried_with_the_variable_name(
    engine: Engine, inbox: SmtpSink, receiver: WebhookReceiver
) -> None:
    incidents(engine)
    config = make_config(inbox.port, receiver)
    config = NotifyConfig(**{**config.__dict__, "environ": {}})
    summary = notify_pass(engine, config, clock=Clock(NOW))
    assert summary.sent == 1
    assert sorted(error for _, error in summary.errors) == [
        "environment variable TEST_HOOK_URL is not set",
        "environment variable TEST_SLACK_URL is not set",
    ]


def test_backoff_doubles_with_jitter_and_honours_retry_after() -> None:
    policy = RetryPolicy(base_delay_s=30, max_delay_s=600)
    rng = random.Random(7)
    for attempt, step in [(1, 30), (2, 60), (3, 120), (6, 600), (9, 600)]:
        delays = [policy.delay_s(attempt, None, rng) for _ in range(50)]
        assert all(step / 2 <= d <= step for d in delays)
        assert len(set(delays)) > 1
    assert policy.delay_s(1, 900.0, rng) == 900.0


def _actors(actors: Sequence[DetectedActor]) -> tuple[EventActor, ...]:
    return tuple(EventActor(a.id, a.name, a.role, a.country) for a in actors)


def test_detected_events_alert_with_their_evidence_and_every_source(
    engine: Engine, inbox: SmtpSink, receiver: WebhookReceiver
) -> None:
    watchlist = load_watchlist()
    texts = {
        "wire": "North Korea has sent troops to Russia, officials in Seoul said on Monday.",
        "ledger": "Pyongyang sent thousands of soldiers to Russia this week, Kyiv said.",
    }
    with engine.begin() as conn:
        for outlet, text in texts.items():
            events = [
                Ev(e.type, e.modality, e.confidence, _actors(e.actors), e.evidence)
                for e in detect_events(text, watchlist, on=date(2026, 11, 20))
            ]
            assert [e.type for e in events] == ["troop_deployment"]
            event_ids = publish(conn, outlet, f"{outlet}-1", events)
            process_events(conn, event_ids, subscriptions(SUBSCRIPTIONS), now=NOW)
        (email, *_) = outbox_store.list_deliveries(conn, status="pending")
        message = build_message(conn, email)
    (item,) = message.items
    assert item.evidence == texts["wire"]
    assert [s.outlet for s in item.sources] == ["Wire", "Ledger"]
    notify_pass(engine, make_config(inbox.port, receiver), clock=Clock(NOW))
    assert len(inbox.messages) == 1


def test_the_notify_flow_delivers_what_is_due(
    prefect_harness: None,
    sqlite_url: str,
    inbox: SmtpSink,
    receiver: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    incidents(engine)
    engine.dispose()
    environment = {
        "NEWSWATCH_DATABASE_URL": sqlite_url,
        "NEWSWATCH_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
        "NEWSWATCH_SMTP_HOST": "127.0.0.1",
        "NEWSWATCH_SMTP_PORT": str(inbox.port),
        "NEWSWATCH_SMTP_SECURITY": "none",
        **make_config(inbox.port, receiver).environ,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    summary = notify_flow()

    assert (summary["sent"], summary["dead"]) == (3, 0)
    assert len(inbox.messages) == 1 and len(receiver.posts) == 2
