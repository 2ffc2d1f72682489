"""What a channel delivers: one alert message about one or more incidents, as plain data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.incidents import Incident, IncidentSource


@dataclass(frozen=True)
class AlertActor:
    id: str
    name: str
    role: str


@dataclass(frozen=True)
class AlertSource:
    """One outlet's article reporting the incident."""

    outlet: str
    title: str
    url: str
    published_at: datetime | None


@dataclass(frozen=True)
class AlertItem:
    """One incident as it stands when the alert is sent."""

    incident_id: int
    event_type: str
    modality: str
    confidence: float
    actors: tuple[AlertActor, ...]
    evidence: str
    sources: tuple[AlertSource, ...]
    first_seen: datetime
    last_seen: datetime
    update_reason: str | None = None  # set when this is an update of an incident already alerted
    mark: str | None = None  # a phone call, a withdrawal (extractors.events.model.MARKS)


@dataclass(frozen=True)
class AlertMessage:
    """One delivery's content. `idempotency_key` is stable across retries (email Message-ID, headers)."""

    idempotency_key: str
    subscription: str
    items: tuple[AlertItem, ...]
    created_at: datetime


def alert_actors(incident: Incident) -> tuple[AlertActor, ...]:
    """The incident's actors as alerts name them, in their order (sources first)."""
    return tuple(AlertActor(a.id, a.name, a.role) for a in incident.actors)


def alert_item(
    incident: Incident, sources: Sequence[IncidentSource], update_reason: str | None = None
) -> AlertItem:
    """`incident` as it stands, with the articles that report it."""
    assert incident.id is not None, "only stored incidents are told"
    return AlertItem(
        incident_id=incident.id,
        event_type=incident.event_type,
        modality=incident.modality,
        confidence=incident.confidence,
        actors=alert_actors(incident),
        evidence=incident.evidence,
        sources=tuple(AlertSource(s.outlet, s.title, s.url, s.published_at) for s in sources),
        first_seen=incident.first_seen,
        last_seen=incident.last_seen,
        update_reason=update_reason,
        mark=incident.mark,
    )
