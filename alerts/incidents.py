"""Incidents as pure functions: which events report the same thing, how an incident absorbs another
report, and which changes are worth telling analysts about again."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from storage.incidents import Incident, IncidentActor, actor_key

__all__ = [
    "DEFAULT_WINDOW",
    "Change",
    "Incident",
    "IncidentActor",
    "Sighting",
    "changes",
    "event_time",
    "incident_actors",
    "merge",
    "pick_incident",
    "start_incident",
]

DEFAULT_WINDOW = timedelta(hours=72)
# Higher is surer; an incident keeps the surest modality any of its reports gives it.
MODALITY_RANK = {"negated": 0, "future": 1, "hedged": 2, "asserted": 3}


@dataclass(frozen=True)
class Sighting:
    """One stored event as grouping sees it; `seen_at` is when its article says it was published."""

    event_id: int
    article_id: int
    story_id: int
    event_type: str
    modality: str
    confidence: float
    evidence: str
    actors: tuple[IncidentActor, ...]
    seen_at: datetime
    mark: str | None = None

    @property
    def actor_key(self) -> str:
        return actor_key(self.actors)


@dataclass(frozen=True)
class Change:
    """What happened to an incident between two states of it."""

    new: bool
    was_modality: str | None = None  # set when a hedged, planned or denied report became asserted
    new_actors: tuple[str, ...] = ()

    @property
    def matters(self) -> bool:
        """Worth a new alert: more outlets reporting the same thing is not."""
        return self.new or self.was_modality is not None or bool(self.new_actors)

    @property
    def reason(self) -> str | None:
        """The update reason shown to analysts; None for a new incident or no change."""
        if self.new:
            return None
        parts = []
        if self.was_modality is not None:
            parts.append(f"now asserted (was {self.was_modality})")
        if self.new_actors:
            parts.append("new actor: " + ", ".join(self.new_actors))
        return "; ".join(parts) or None


def incident_actors(
    actors: Iterable[tuple[str, str, str, str | None]],
) -> tuple[IncidentActor, ...]:
    """(actor_id, name, role, country) of an event as incident actors, each (id, role) once."""
    found: dict[tuple[str, str], IncidentActor] = {}
    for actor_id, name, role, country in actors:
        if country and country != actor_id:
            actor = IncidentActor(country, name, role, via=actor_id)
        else:
            actor = IncidentActor(actor_id, name, role)
        found.setdefault((actor.id, actor.role), actor)
    return tuple(found.values())


def event_time(published_at: datetime | None, detected_at: datetime) -> datetime:
    """When a report was seen: its publication time, unless missing or later than its detection."""
    if published_at is None or published_at > detected_at:
        return detected_at
    return published_at


def joins(incident: Incident, sighting: Sighting, window: timedelta) -> bool:
    """The same type and mark and, either the same story with a shared actor (a rewrite may name one more),
    or the same actors within `window` of the incident's reports."""
    if incident.event_type != sighting.event_type or incident.mark != sighting.mark:
        return False
    if sighting.story_id in incident.story_ids:
        shared = {a.id for a in sighting.actors} & {a.id for a in incident.actors}
        return bool(shared) or not sighting.actors
    if not sighting.actors or incident.actor_key != sighting.actor_key:
        return False  # events without actors only join through their story
    return incident.first_seen - window <= sighting.seen_at <= incident.last_seen + window


def pick_incident(
    candidates: Sequence[Incident], sighting: Sighting, window: timedelta
) -> Incident | None:
    """The incident `sighting` joins: one of its story first, else the one nearest in time."""
    joined = [c for c in candidates if joins(c, sighting, window)]
    if not joined:
        return None

    def distance(c: Incident) -> tuple[bool, timedelta]:
        gap = max(c.first_seen - sighting.seen_at, sighting.seen_at - c.last_seen, timedelta(0))
        return sighting.story_id not in c.story_ids, gap

    return min(joined, key=distance)


def start_incident(sighting: Sighting) -> Incident:
    return Incident(
        id=None,
        event_type=sighting.event_type,
        actor_key=sighting.actor_key,
        actors=sighting.actors,
        modality=sighting.modality,
        confidence=sighting.confidence,
        evidence=sighting.evidence,
        best_event_id=sighting.event_id,
        first_seen=sighting.seen_at,
        last_seen=sighting.seen_at,
        article_ids=frozenset({sighting.article_id}),
        story_ids=frozenset({sighting.story_id}),
        mark=sighting.mark,
    )


def _strength(modality: str, confidence: float) -> tuple[int, float]:
    return MODALITY_RANK.get(modality, 0), confidence


def merge(incident: Incident, sighting: Sighting) -> Incident:
    """`incident` with one more report: sources and time span grow, the surest report becomes the
    evidence, new actors join. The actor key stays: it is how later reports find the incident."""
    known = {(a.id, a.role) for a in incident.actors}
    actors = incident.actors + tuple(a for a in sighting.actors if (a.id, a.role) not in known)
    merged = replace(
        incident,
        actors=actors,
        first_seen=min(incident.first_seen, sighting.seen_at),
        last_seen=max(incident.last_seen, sighting.seen_at),
        article_ids=incident.article_ids | {sighting.article_id},
        story_ids=incident.story_ids | {sighting.story_id},
        confidence=max(incident.confidence, sighting.confidence),
    )
    if _strength(sighting.modality, sighting.confidence) > _strength(
        incident.modality, incident.confidence
    ):
        merged = replace(
            merged,
            modality=sighting.modality,
            evidence=sighting.evidence,
            best_event_id=sighting.event_id,
        )
    return merged


def changes(before: Incident | None, after: Incident) -> Change:
    """What `after` tells analysts that `before` did not."""
    if before is None:
        return Change(new=True)
    upgraded = after.modality == "asserted" and before.modality != "asserted"
    new_actors = sorted({a.id for a in after.actors} - {a.id for a in before.actors})
    return Change(
        new=False, was_modality=before.modality if upgraded else None, new_actors=tuple(new_actors)
    )
