"""What a channel delivers: one alert message about one or more incidents, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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


@dataclass(frozen=True)
class AlertMessage:
    """One delivery's content. `idempotency_key` is stable across retries (email Message-ID, headers)."""

    idempotency_key: str
    subscription: str
    items: tuple[AlertItem, ...]
    created_at: datetime
