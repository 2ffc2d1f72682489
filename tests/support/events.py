"""Events as comparable facts for the matcher tests: type, modality and (actor, role) pairs, with
people and bodies counted as whom they act for, as in the labelled sets."""

from __future__ import annotations

import datetime as dt

from extractors.events import detect_events, load_watchlist

DAY = dt.date(2025, 7, 1)

Summary = tuple[str, str, frozenset[tuple[str, str]]]


def found(text: str) -> set[Summary]:
    """The events of `text` (people's offices as on `DAY`)."""
    return {
        (e.type, e.modality, frozenset((a.country or a.id, a.role) for a in e.actors))
        for e in detect_events(text, load_watchlist(), on=DAY)
    }


def event(kind: str, modality: str, **roles: str) -> Summary:
    """`event("sanctions", "asserted", source="USA", target="CHN")`; several ids: "ALB XKX"."""
    return (kind, modality, frozenset((a, r) for r, ids in roles.items() for a in ids.split()))
