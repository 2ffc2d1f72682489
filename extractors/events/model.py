"""The events the matcher emits: plain frozen data, serialised exactly as the `newswatch match`
contract says."""

from __future__ import annotations

from dataclasses import dataclass

EVENT_ROLES: dict[str, tuple[str, ...]] = {
    "troop_deployment": ("source", "target"),
    "arms_transfer": ("source", "target"),
    "diplomatic_recognition": ("source", "target"),
    "alliance_membership": ("source", "organisation"),
    "agreement_signed": ("party",),
    "diplomatic_protest": ("source", "target"),
    "relations_downgrade": ("source", "target"),
    "arrest_detention": ("source", "target"),
    "military_strike": ("source", "target"),
    "official_visit": ("source", "target"),
    "sanctions": ("source", "target"),
}
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_ROLES)
MODALITIES: tuple[str, ...] = ("asserted", "hedged", "future", "negated")
# Marks: a kind of act within a type that analysts tell apart, and the type it belongs to. A phone
# call is contact, not a visit; a withdrawal moves troops the other way.
MARKS: dict[str, str] = {"phone_call": "official_visit", "withdrawal": "troop_deployment"}


@dataclass(frozen=True)
class EventActor:
    """An actor in one role of an event; `country` is set for people and bodies (who they act for)."""

    id: str
    name: str
    role: str
    country: str | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"id": self.id, "name": self.name, "role": self.role}
        if self.country is not None:
            data["country"] = self.country
        return data


@dataclass(frozen=True)
class Event:
    """One event found in a sentence; `span` holds the sentence's character offsets in the input.
    `background` events are recalled, standing or earlier facts ("since 2022", "still posted"), or
    a story's body saying otherwise than its headline and lede: detected, never alerted. `mark` is
    one of MARKS or None."""

    type: str
    modality: str
    confidence: float
    actors: tuple[EventActor, ...]
    evidence: str
    span: tuple[int, int]
    background: bool = False
    mark: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "type": self.type,
            "modality": self.modality,
            "confidence": self.confidence,
            "actors": [actor.to_json() for actor in self.actors],
            "evidence": self.evidence,
            "span": [self.span[0], self.span[1]],
            "background": self.background,
            "mark": self.mark,
        }
