"""Incidents: one per reported thing, updated by more outlets, re-alerting only when it matters."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alerts.incidents import (
    DEFAULT_WINDOW,
    IncidentActor,
    Sighting,
    changes,
    event_time,
    incident_actors,
    merge,
    pick_incident,
    start_incident,
)
from alerts.rules import alerts_for, matches
from alerts.schedule import end_of_quiet_hours, plan_slot
from alerts.subscriptions import Match, QuietHours, Subscription
from alerts.targets import ChannelSpec

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PRK = IncidentActor("PRK", "North Korea", "source")
RUS = IncidentActor("RUS", "Russia", "target")
EMAIL = (ChannelSpec("email", recipients=("desk@example.org",)),)


def sighting(
    event_id: int,
    *,
    story: int = 1,
    modality: str = "asserted",
    confidence: float = 0.8,
    actors: tuple[IncidentActor, ...] = (PRK, RUS),
    at: datetime = T0,
    event_type: str = "troop_deployment",
) -> Sighting:
    return Sighting(
        event_id=event_id,
        article_id=100 + event_id,
        story_id=story,
        event_type=event_type,
        modality=modality,
        confidence=confidence,
        evidence=f"evidence {event_id}",
        actors=actors,
        seen_at=at,
    )


def test_people_and_bodies_count_for_the_state_they_act_for() -> None:
    actors = incident_actors(
        [
            ("P_SERGEY_LAVROV", "Sergey Lavrov", "source", "RUS"),
            ("RUS_MFA", "Russian foreign ministry", "source", "RUS"),
            ("ARM", "Armenia", "target", None),
        ]
    )
    assert actors == (
        IncidentActor("RUS", "Sergey Lavrov", "source", via="P_SERGEY_LAVROV"),
        IncidentActor("ARM", "Armenia", "target"),
    )


def test_more_outlets_update_the_incident_without_a_change_that_matters() -> None:
    first = start_incident(sighting(1))
    later = merge(first, sighting(2, story=2, at=T0 + timedelta(hours=5), confidence=0.9))
    assert later.source_count == 2
    assert (later.first_seen, later.last_seen) == (T0, T0 + timedelta(hours=5))
    assert later.confidence == 0.9
    assert later.evidence == "evidence 2"  # the surer report becomes the evidence
    assert not changes(first, later).matters


def test_same_actors_join_within_the_window_and_not_after() -> None:
    incident = replace(start_incident(sighting(1)), id=7)
    near = sighting(2, story=2, at=T0 + DEFAULT_WINDOW)
    far = sighting(3, story=3, at=T0 + DEFAULT_WINDOW + timedelta(minutes=1))
    other_type = sighting(4, story=2, event_type="arms_transfer")
    assert pick_incident([incident], near, DEFAULT_WINDOW) == incident
    assert pick_incident([incident], far, DEFAULT_WINDOW) is None
    assert pick_incident([incident], other_type, DEFAULT_WINDOW) is None


def test_the_same_story_joins_regardless_of_time_and_may_add_an_actor() -> None:
    incident = replace(start_incident(sighting(1)), id=7)
    belarus = IncidentActor("BLR", "Belarus", "target")
    rewrite = sighting(2, story=1, actors=(PRK, RUS, belarus), at=T0 + timedelta(days=9))
    assert pick_incident([incident], rewrite, DEFAULT_WINDOW) == incident
    change = changes(incident, merge(incident, rewrite))
    assert change.matters and change.reason == "new actor: BLR"
    unrelated = sighting(3, story=1, actors=(IncidentActor("ISR", "Israel", "source"),))
    assert pick_incident([incident], unrelated, DEFAULT_WINDOW) is None


def test_the_story_incident_wins_over_a_nearer_one() -> None:
    story_one = replace(start_incident(sighting(1, story=1)), id=1)
    story_two = replace(start_incident(sighting(2, story=2, at=T0 + timedelta(hours=1))), id=2)
    report = sighting(3, story=1, at=T0 + timedelta(hours=1))
    assert pick_incident([story_two, story_one], report, DEFAULT_WINDOW) == story_one


def test_a_hedged_report_becoming_asserted_matters_once() -> None:
    hedged = start_incident(sighting(1, modality="hedged"))
    asserted = merge(hedged, sighting(2, story=2, modality="asserted", confidence=0.6))
    assert asserted.modality == "asserted" and asserted.evidence == "evidence 2"
    assert changes(hedged, asserted).reason == "now asserted (was hedged)"
    again = merge(asserted, sighting(3, story=3, modality="asserted"))
    assert not changes(asserted, again).matters
    denial = merge(asserted, sighting(4, story=4, modality="negated", confidence=0.95))
    assert denial.modality == "asserted" and not changes(asserted, denial).matters


def test_publication_time_is_used_unless_missing_or_in_the_future() -> None:
    detected = T0 + timedelta(hours=2)
    assert event_time(T0, detected) == T0
    assert event_time(None, detected) == detected
    assert event_time(T0 + timedelta(days=1), detected) == detected


def test_subscriptions_match_actors_pairs_types_and_modalities() -> None:
    incident = start_incident(sighting(1, modality="hedged"))
    assert matches(Match(), incident)
    assert matches(Match(actors=frozenset({"RUS", "IRN"})), incident)
    assert not matches(Match(actors=frozenset({"IRN"})), incident)
    assert matches(Match(pairs=(frozenset({"RUS", "PRK"}),)), incident)
    assert not matches(Match(pairs=(frozenset({"RUS", "IRN"}),)), incident)
    assert not matches(Match(event_types=frozenset({"sanctions"})), incident)
    assert not matches(Match(modalities=frozenset({"asserted"})), incident)
    assert not matches(Match(min_confidence=0.9), incident)
    lavrov = IncidentActor("RUS", "Sergey Lavrov", "source", via="P_SERGEY_LAVROV")
    visit = start_incident(sighting(2, actors=(lavrov,), event_type="official_visit"))
    assert matches(Match(actors=frozenset({"P_SERGEY_LAVROV"})), visit)


def test_negated_incidents_never_alert_by_default() -> None:
    denied = start_incident(sighting(1, modality="negated"))
    assert alerts_for([Subscription("desk", EMAIL)], None, denied) == []


def test_first_alert_then_one_update_then_silence() -> None:
    desk = Subscription("desk", EMAIL)
    digest = Subscription("weekly", EMAIL, delivery="digest")
    hedged = start_incident(sighting(1, modality="hedged"))
    (first,) = alerts_for([desk, digest], None, hedged)
    assert first.reason is None
    asserted = merge(hedged, sighting(2, story=2))
    (update,) = alerts_for([desk, digest], hedged, asserted)
    assert update.reason == "now asserted (was hedged)"
    more = merge(asserted, sighting(3, story=3))
    assert alerts_for([desk], asserted, more) == []


def test_a_subscription_that_starts_matching_gets_a_first_alert() -> None:
    strict = Subscription("strict", EMAIL, match=Match(modalities=frozenset({"asserted"})))
    hedged = start_incident(sighting(1, modality="hedged"))
    assert alerts_for([strict], None, hedged) == []
    (alert,) = alerts_for([strict], hedged, merge(hedged, sighting(2, story=2)))
    assert alert.reason is None


def test_instant_deliveries_wait_for_cooldown_and_hourly_cap() -> None:
    calm = Subscription("desk", EMAIL, cooldown=timedelta(minutes=15), max_per_hour=3)
    assert plan_slot(calm, T0, []).due_at == T0
    assert not plan_slot(calm, T0, []).grouped
    cooling = plan_slot(calm, T0, [T0 - timedelta(minutes=5)])
    assert cooling.due_at == T0 + timedelta(minutes=10) and cooling.grouped
    busy = [T0 - timedelta(minutes=m) for m in (50, 40, 20)]
    capped = plan_slot(calm, T0, busy)
    assert capped.due_at == T0 + timedelta(minutes=10) and capped.grouped


def test_hourly_batches_are_due_at_the_next_full_hour() -> None:
    hourly = Subscription("desk", EMAIL, delivery="hourly", timezone=ZoneInfo("Asia/Kolkata"))
    slot = plan_slot(hourly, T0 + timedelta(minutes=10), [])
    # India is UTC+05:30: its full hours fall on the half hour in UTC.
    assert slot.due_at == T0 + timedelta(minutes=30) and slot.grouped


def test_quiet_hours_delay_deliveries_to_their_local_end() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    night = QuietHours(time(22, 0), time(7, 0))
    sleeping = Subscription("desk", EMAIL, quiet_hours=night, timezone=berlin)
    late = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    slot = plan_slot(sleeping, late, [])
    assert slot.due_at == datetime(2026, 11, 21, 6, 0, tzinfo=UTC) and slot.grouped
    assert end_of_quiet_hours(T0, night, berlin) is None  # 10:00 in Berlin
