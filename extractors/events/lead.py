"""A story's lead: its headline and lede (the first two paragraphs) say what the story reports.
A later sentence about the same act (type and an actor in common) that the lead tells in another
modality is background: "North Korea is reportedly preparing to send more troops", then "troops
had arrived last week", is a hedged story, not an asserted one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from extractors.events.model import Event

_LEAD_PARAGRAPHS = 2


def lead_end(text: str) -> int:
    """Where the lead ends: after the second non-blank line (all of a text of fewer lines)."""
    seen, at = 0, 0
    for line in text.splitlines(keepends=True):
        at += len(line)
        seen += bool(line.strip())
        if seen == _LEAD_PARAGRAPHS:
            return at
    return len(text)


def _actors(event: Event) -> frozenset[str]:
    return frozenset(a.country or a.id for a in event.actors)


def _same_act(event: Event, other: Event) -> bool:
    return (
        event.type == other.type
        and event.mark == other.mark
        and not _actors(event).isdisjoint(_actors(other))
    )


def prefer_lead(events: Sequence[Event], text: str) -> list[Event]:
    """`events` (of `text`, in text order) with those after the lead made background where the
    lead reports the same act only in other modalities."""
    end = lead_end(text)
    lead = [e for e in events if e.span[0] < end and not e.background]

    def disagrees(event: Event) -> bool:
        told = {e.modality for e in lead if _same_act(e, event)}
        return bool(told) and event.modality not in told

    return [replace(e, background=True) if e.span[0] >= end and disagrees(e) else e for e in events]
