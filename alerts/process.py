"""The ingest side of alerting: new events join or start incidents, and the incidents' changes
become outbox rows, all in the transaction that stored the events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection

from alerts.incidents import (
    DEFAULT_WINDOW,
    Incident,
    Sighting,
    changes,
    event_time,
    incident_actors,
    merge,
    pick_incident,
    start_incident,
)
from alerts.outbox import EnqueueCounts, enqueue
from alerts.rules import alerts_for
from alerts.subscriptions import Subscription
from storage import incidents as incident_store


@dataclass
class ProcessSummary:
    """What one call did: events grouped, incidents started and updated, outbox rows written."""

    events_grouped: int = 0
    incidents_created: int = 0
    incidents_updated: int = 0
    alerts: int = 0
    outbox: EnqueueCounts = field(default_factory=EnqueueCounts)


def _sighting(found: incident_store.UngroupedEvent) -> Sighting:
    event = found.event
    return Sighting(
        event_id=event.id,
        article_id=event.article_id,
        story_id=event.story_id,
        event_type=event.event_type,
        modality=event.modality,
        confidence=event.confidence,
        evidence=event.evidence,
        actors=incident_actors((a.actor_id, a.name, a.role, a.country) for a in event.actors),
        seen_at=event_time(found.published_at, event.detected_at),
        mark=event.mark,
    )


def _sightings(conn: Connection, event_ids: Iterable[int]) -> list[Sighting]:
    """The events to group: background events (recalled, not reported) never start an incident."""
    ungrouped = incident_store.ungrouped_events(conn, event_ids)
    found = [_sighting(e) for e in ungrouped if not e.event.background]
    return sorted(found, key=lambda s: (s.seen_at, s.event_id))


def _group(
    conn: Connection, sighting: Sighting, window: timedelta, now: datetime
) -> tuple[int, Incident, Incident | None]:
    """Put `sighting` into its incident, stored at once so the next report of the batch finds it;
    returns the incident's id, its new state, and its state before (None when it is new)."""
    candidates = incident_store.candidate_incidents(
        conn,
        event_type=sighting.event_type,
        mark=sighting.mark,
        actor_key=sighting.actor_key,
        story_id=sighting.story_id,
        since=sighting.seen_at - window,
        until=sighting.seen_at + window,
    )
    found = pick_incident(candidates, sighting, window)
    if found is None or found.id is None:
        incident = incident_store.insert_incident(conn, start_incident(sighting), now=now)
        assert incident.id is not None
        incident_id, previous = incident.id, None
    else:
        incident_id, previous = found.id, found
        incident = merge(found, sighting)
        incident_store.update_incident(conn, incident, now=now)
    incident_store.link_event(conn, incident_id, sighting.event_id)
    return incident_id, incident, previous


def process_events(
    conn: Connection,
    event_ids: Iterable[int],
    subscriptions: Sequence[Subscription],
    *,
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
) -> ProcessSummary:
    """Group the events `event_ids` into incidents and write the alerts their changes cause.

    Runs in the caller's transaction, so events, incidents and deliveries commit together. Events
    already grouped are skipped, so calling it twice changes nothing.
    """
    summary = ProcessSummary()
    before: dict[int, Incident | None] = {}
    after: dict[int, Incident] = {}
    sightings = _sightings(conn, event_ids)
    incident_store.lock_kinds(conn, ((s.event_type, s.actor_key) for s in sightings))
    for sighting in sightings:
        incident_id, incident, previous = _group(conn, sighting, window, now)
        before.setdefault(incident_id, previous)
        after[incident_id] = incident
        summary.events_grouped += 1
    for incident_id, incident in after.items():
        previous = before[incident_id]
        if previous is None:
            summary.incidents_created += 1
        else:
            summary.incidents_updated += 1
            if changes(previous, incident).matters:
                incident = replace(incident, version=previous.version + 1)
                incident_store.update_incident(conn, incident, now=now)
        for alert in alerts_for(subscriptions, previous, incident):
            enqueue(conn, alert, now=now, counts=summary.outbox)
            summary.alerts += 1
    return summary
