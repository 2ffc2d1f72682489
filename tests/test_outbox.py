"""The outbox: incidents and their deliveries written with the events, one per incident and channel,
grouped when the subscription's pace says so, claimed under a lease."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from alerts.process import ProcessSummary, process_events
from alerts.subscriptions import Subscription
from storage import incidents as incident_store
from storage import outbox as outbox_store
from storage.events import EventActor
from storage.models import deliveries, incidents
from tests.alerting_data import BLR, DESK, NOW, PRK, RUS, Ev, cli, publish, subscriptions

LEASE = timedelta(minutes=5)


def report(
    engine: Engine,
    outlet: str,
    key: str,
    *events: Ev,
    subs: tuple[Subscription, ...] | None = None,
    copy_of: str | None = None,
    hours: float = 0,
) -> ProcessSummary:
    """Store an article and its events, then process them, in one transaction like ingest."""
    now = NOW + timedelta(hours=hours)
    with engine.begin() as conn:
        event_ids = publish(conn, outlet, key, events or (Ev(),), copy_of=copy_of, now=now)
        return process_events(conn, event_ids, subs or subscriptions(DESK), now=now)


def all_deliveries(engine: Engine) -> list[outbox_store.DeliveryRecord]:
    with engine.connect() as conn:
        return sorted(outbox_store.list_deliveries(conn, limit=1000), key=lambda d: d.id)


def send_all(engine: Engine, *, hours: float = 0) -> list[outbox_store.DeliveryRecord]:
    """Claim every due delivery and mark it sent, as a successful notify pass would."""
    now = NOW + timedelta(hours=hours)
    with engine.begin() as conn:
        claimed = outbox_store.claim_due(conn, now=now, limit=1000, lease=LEASE, token="t")
        for delivery in claimed:
            assert outbox_store.mark_sent(conn, delivery.id, "t", now=now)
    return claimed


def test_the_first_report_alerts_each_channel_once(engine: Engine) -> None:
    summary = report(engine, "wire", "a1")
    assert (summary.incidents_created, summary.alerts, summary.outbox.created) == (1, 1, 2)
    email, slack = all_deliveries(engine)
    assert (email.channel, slack.channel) == ("email", "slack_webhook")
    assert slack.target == {"kind": "slack_webhook", "url_env": "TEST_SLACK_URL"}
    assert email.status == "pending" and email.next_attempt_at == NOW and not email.grouped
    assert email.idempotency_key != slack.idempotency_key
    with engine.connect() as conn:
        (item,) = outbox_store.items_of(conn, email.id)
        incident = incident_store.get_incident(conn, item.incident_id)
    assert incident is not None
    assert (incident.event_type, incident.actor_key, incident.source_count) == (
        "troop_deployment",
        "PRK,RUS",
        1,
    )
    assert item.update_reason is None and item.incident_version == 1


def test_more_outlets_update_the_incident_and_do_not_realert(engine: Engine) -> None:
    report(engine, "wire", "a1")
    send_all(engine)
    summary = report(engine, "ledger", "b1", hours=6)
    assert (summary.incidents_created, summary.incidents_updated, summary.alerts) == (0, 1, 0)
    assert len(all_deliveries(engine)) == 2
    with engine.connect() as conn:
        (incident,) = incident_store.list_incidents(conn)
        sources = incident_store.incident_sources(conn, [incident.id or 0])
    assert incident.source_count == 2
    assert incident.last_seen - incident.first_seen == timedelta(hours=6)
    assert [s.outlet for s in sources[incident.id or 0]] == ["Wire", "Ledger"]


def test_a_hedged_report_confirmed_sends_one_update(engine: Engine) -> None:
    report(engine, "wire", "a1", Ev(modality="hedged"))
    send_all(engine)
    summary = report(engine, "ledger", "b1", Ev(modality="asserted"), hours=1)
    assert summary.outbox.created == 2
    report(engine, "meridian", "c1", Ev(modality="asserted"), hours=2)
    updates = [d for d in all_deliveries(engine) if d.status == "pending"]
    assert len(updates) == 2
    with engine.connect() as conn:
        (item,) = outbox_store.items_of(conn, updates[0].id)
    assert item.update_reason == "now asserted (was hedged)" and item.incident_version == 2


def test_a_rewrite_naming_a_new_actor_sends_an_update(engine: Engine) -> None:
    report(engine, "wire", "a1")
    send_all(engine)
    summary = report(engine, "ledger", "a1-copy", Ev(actors=(PRK, RUS, BLR)), copy_of="a1")
    assert (summary.incidents_created, summary.outbox.created) == (0, 2)
    last = all_deliveries(engine)[-1]
    with engine.connect() as conn:
        (incident,) = incident_store.list_incidents(conn)
        (item,) = outbox_store.items_of(conn, last.id)
    assert item.update_reason == "new actor: BLR"
    assert {a.id for a in incident.actors} == {"PRK", "RUS", "BLR"}


def test_an_update_before_the_first_alert_went_out_is_folded_into_it(engine: Engine) -> None:
    report(engine, "wire", "a1", Ev(modality="hedged"))
    summary = report(engine, "ledger", "b1", Ev(modality="asserted"), hours=1)
    assert (summary.outbox.created, summary.outbox.folded) == (0, 2)
    email = all_deliveries(engine)[0]
    with engine.connect() as conn:
        (item,) = outbox_store.items_of(conn, email.id)
    assert item.update_reason is None and item.incident_version == 2


def test_processing_the_same_events_twice_changes_nothing(engine: Engine) -> None:
    with engine.begin() as conn:
        event_ids = publish(conn, "wire", "a1")
        process_events(conn, event_ids, subscriptions(DESK), now=NOW)
        again = process_events(conn, event_ids, subscriptions(DESK), now=NOW)
    assert (again.events_grouped, again.alerts) == (0, 0)
    assert len(all_deliveries(engine)) == 2


def test_events_and_their_alerts_commit_together(engine: Engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as conn:
        process_events(conn, publish(conn, "wire", "a1"), subscriptions(DESK), now=NOW)
        raise RuntimeError("crash before commit")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(incidents)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(deliveries)).scalar_one() == 0


def test_a_burst_within_the_cooldown_becomes_one_grouped_delivery(engine: Engine) -> None:
    calm = subscriptions(
        "subscriptions:\n  - name: calm\n    channels: [{email: [a@example.org]}]\n"
        "    cooldown_minutes: 15\n"
    )
    kinds = ["troop_deployment", "arms_transfer", "military_strike", "sanctions"]
    with engine.begin() as conn:
        event_ids = publish(conn, "wire", "a1", [Ev(type=kind) for kind in kinds])
        summary = process_events(conn, event_ids, calm, now=NOW)
    assert (summary.incidents_created, summary.outbox.created, summary.outbox.grouped) == (4, 2, 2)
    instant, grouped = all_deliveries(engine)
    assert instant.next_attempt_at == NOW and not instant.grouped
    assert grouped.next_attempt_at == NOW + timedelta(minutes=15) and grouped.grouped
    with engine.connect() as conn:
        assert len(outbox_store.items_of(conn, grouped.id)) == 3


def test_the_hourly_cap_groups_what_exceeds_it(engine: Engine) -> None:
    capped = subscriptions(
        "subscriptions:\n  - name: capped\n    channels: [{email: [a@example.org]}]\n"
        "    max_per_hour: 2\n"
    )
    kinds = ["troop_deployment", "arms_transfer", "military_strike", "sanctions"]
    for hour, kind in enumerate(kinds):
        report(engine, "wire", f"a{hour}", Ev(type=kind), subs=capped, hours=hour / 10)
    due = [d.next_attempt_at - NOW for d in all_deliveries(engine)]
    assert due == [timedelta(0), timedelta(minutes=6), timedelta(hours=1)]


def test_quiet_hours_and_hourly_batches_set_the_due_time(engine: Engine) -> None:
    subs = subscriptions(
        "subscriptions:\n"
        "  - name: night\n    channels: [{email: [a@example.org]}]\n"
        "    timezone: Asia/Tokyo\n    quiet_hours: {start: '18:00', end: '08:00'}\n"
        "  - name: batch\n    channels: [{email: [b@example.org]}]\n    delivery: hourly\n"
    )
    report(engine, "wire", "a1", subs=subs, hours=0.25)  # 09:15 UTC is 18:15 in Tokyo
    night, batch = all_deliveries(engine)
    assert night.next_attempt_at == NOW + timedelta(hours=14)  # 08:00 in Tokyo
    assert batch.next_attempt_at == NOW + timedelta(hours=1)
    assert night.grouped and batch.grouped


def test_digest_subscriptions_and_negated_events_write_no_delivery(engine: Engine) -> None:
    digest = subscriptions(
        "subscriptions:\n  - name: weekly\n    channels: [{email: [a@example.org]}]\n"
        "    delivery: digest\n"
    )
    assert report(engine, "wire", "a1", subs=digest).alerts == 0
    denied = report(engine, "wire", "b1", Ev(type="arms_transfer", modality="negated"))
    assert (denied.incidents_created, denied.alerts) == (1, 0)
    assert all_deliveries(engine) == []


def test_only_due_deliveries_are_claimed_and_a_lease_expires(engine: Engine) -> None:
    report(engine, "wire", "a1")
    with engine.begin() as conn:
        assert (
            outbox_store.claim_due(
                conn, now=NOW - timedelta(seconds=1), limit=10, lease=LEASE, token="early"
            )
            == []
        )
        first = outbox_store.claim_due(conn, now=NOW, limit=1, lease=LEASE, token="dead")
        assert [d.attempts for d in first] == [1]
        second = outbox_store.claim_due(conn, now=NOW, limit=10, lease=LEASE, token="other")
        assert {d.id for d in second}.isdisjoint(d.id for d in first) and len(second) == 1
        assert outbox_store.mark_sent(conn, second[0].id, "other", now=NOW)
    later = NOW + LEASE
    with engine.begin() as conn:
        again = outbox_store.claim_due(conn, now=later, limit=10, lease=LEASE, token="next")
        assert [(d.id, d.attempts) for d in again] == [(first[0].id, 2)]
        # The process that claimed first has lost its claim: it can no longer mark it.
        assert not outbox_store.mark_sent(conn, first[0].id, "dead", now=later)
        assert not outbox_store.renew_claim(conn, first[0].id, "dead", now=later, until=later)
        assert outbox_store.mark_sent(conn, first[0].id, "next", now=later)


def test_failed_attempts_are_rescheduled_or_dead(engine: Engine) -> None:
    report(engine, "wire", "a1")
    retry_at = NOW + timedelta(minutes=2)
    with engine.begin() as conn:
        email, slack = outbox_store.claim_due(conn, now=NOW, limit=10, lease=LEASE, token="t")
        assert outbox_store.mark_failed(conn, email.id, "t", error="timeout", retry_at=retry_at)
        assert outbox_store.mark_failed(conn, slack.id, "t", error="404", retry_at=None)
    email, slack = all_deliveries(engine)
    assert (email.status, email.next_attempt_at, email.last_error) == (
        "pending",
        retry_at,
        "timeout",
    )
    assert (slack.status, slack.last_error) == ("dead", "404")


def test_claims_abandoned_on_the_last_attempt_are_buried(engine: Engine) -> None:
    report(engine, "wire", "a1")
    with engine.begin() as conn:
        outbox_store.claim_due(conn, now=NOW, limit=10, lease=LEASE, token="t")
    with engine.begin() as conn:
        assert outbox_store.bury_abandoned(conn, now=NOW + LEASE, max_attempts=2) == 0
        assert outbox_store.bury_abandoned(conn, now=NOW + LEASE, max_attempts=1) == 2
    assert {d.status for d in all_deliveries(engine)} == {"dead"}


def test_incidents_are_listed_by_actor_type_and_time(engine: Engine) -> None:
    report(engine, "wire", "a1")
    report(engine, "wire", "a2", Ev(type="sanctions", actors=(RUS, BLR)), hours=5)
    with engine.connect() as conn:
        assert [i.event_type for i in incident_store.list_incidents(conn)] == [
            "sanctions",
            "troop_deployment",
        ]
        assert len(incident_store.list_incidents(conn, actor_id="PRK")) == 1
        assert len(incident_store.list_incidents(conn, event_type="sanctions")) == 1
        assert len(incident_store.list_incidents(conn, since=NOW + timedelta(hours=1))) == 1
        (first,) = incident_store.list_incidents(conn, actor_id="PRK")
        counts = outbox_store.status_counts(conn, [first.id or 0])
    assert counts == {first.id: {"pending": 2}}


def test_alerts_list_and_show_give_the_incident_its_sources_and_deliveries(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    report(engine, "wire", "a1")
    report(engine, "ledger", "b1", hours=2)
    report(engine, "wire", "a2", Ev(type="sanctions", actors=(RUS, BLR)), hours=3)
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", database_url)
    runner = CliRunner()
    listed = runner.invoke(cli(), ["alerts", "list", "--actor", "PRK", "--json"])
    assert listed.exit_code == 0, listed.output
    (incident,) = json.loads(listed.output)
    assert (incident["event_type"], incident["source_count"]) == ("troop_deployment", 2)
    assert incident["deliveries"] == {"pending": 2}
    shown = runner.invoke(cli(), ["alerts", "show", str(incident["id"]), "--json"])
    assert shown.exit_code == 0, shown.output
    details = json.loads(shown.output)
    assert [s["outlet"] for s in details["sources"]] == ["Wire", "Ledger"]
    assert {d["channel"] for d in details["deliveries"]} == {"email", "slack_webhook"}
    table = runner.invoke(cli(), ["alerts", "list", "--type", "sanctions", "--since", "2026-11-20"])
    assert "sanctions" in table.output and "troop_deployment" not in table.output
    usa, irn = EventActor("USA", "United States", "source"), EventActor("IRN", "Iran", "target")
    report(engine, "wire", "a3", Ev(type="sanctions", actors=(usa, irn)), hours=4)
    directed = runner.invoke(cli(), ["alerts", "list", "--actor", "IRN"])
    assert "USA → IRN" in directed.output  # source to target, as the email subjects say
    assert runner.invoke(cli(), ["alerts", "show", "999"]).exit_code == 1
    assert runner.invoke(cli(), ["alerts", "list", "--type", "invasion"]).exit_code == 2


def test_a_background_event_is_stored_but_starts_no_incident(engine: Engine) -> None:
    summary = report(engine, "wire", "recap", Ev(background=True))
    assert (summary.events_grouped, summary.incidents_created, summary.alerts) == (0, 0, 0)
    assert all_deliveries(engine) == []
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(incidents)) == 0


def test_a_withdrawal_is_an_incident_apart_that_alerts_as_a_withdrawal(engine: Engine) -> None:
    report(engine, "wire", "sent", Ev())
    summary = report(engine, "post", "left", Ev(mark="withdrawal"))
    assert (summary.incidents_created, summary.alerts) == (1, 1)
    with engine.connect() as conn:
        found = incident_store.list_incidents(conn)
    assert sorted((i.event_type, i.mark or "") for i in found) == [
        ("troop_deployment", ""),
        ("troop_deployment", "withdrawal"),
    ]


PHONE_DESK = DESK.replace("actors: [PRK]", "actors: [PRK]\n      marks: [phone_call]")


def test_a_phone_call_alerts_only_a_subscription_that_lists_the_mark(engine: Engine) -> None:
    call = Ev(type="official_visit", mark="phone_call")
    assert report(engine, "wire", "call", call).alerts == 0
    assert all_deliveries(engine) == []
    other_call = Ev(type="official_visit", mark="phone_call", actors=(PRK, BLR))
    summary = report(engine, "post", "call-2", other_call, subs=subscriptions(PHONE_DESK))
    assert (summary.incidents_created, summary.alerts) == (1, 1)
