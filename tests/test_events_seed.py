"""The seed article (`../shared/seed-article.txt`, read when it is there, never copied): every event it
reports is found with the right actors, and what it only mentions does not fire. Its sentences are not
in the project; the events are written here as facts (type, modality, actors by role)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from extractors.events import detect_events, load_watchlist

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed-article.txt"
# The article was written in the summer of 2025: people's offices are taken then.
DAY = dt.date(2025, 7, 15)

Found = tuple[str, str, frozenset[tuple[str, str]]]


def _event(kind: str, modality: str, roles: str) -> Found:
    """`_event("arms_transfer", "asserted", "IRN>source RUS>target")`."""
    pairs = (pair.split(">") for pair in roles.split())
    return kind, modality, frozenset((actor, role) for actor, role in pairs)


# The events that the seed article reports: who did what to whom, and how sure it is.
EXPECTED = [
    _event("arms_transfer", "asserted", "IRN>source RUS>target"),
    _event("agreement_signed", "asserted", "RUS>party IRN>party"),
    _event("military_strike", "asserted", "ISR>source USA>source IRN>target"),
    _event("troop_deployment", "asserted", "PRK>source RUS>target"),
    _event("troop_deployment", "asserted", "PRK>source"),
    _event("troop_deployment", "hedged", "PRK>source RUS>target"),
    _event("diplomatic_recognition", "asserted", "RUS>source TALIBAN>target"),
    _event("diplomatic_recognition", "negated", "USA>source EU>source TALIBAN>target"),
    _event("military_strike", "hedged", "RUS>source AZE>target"),
    _event("official_visit", "asserted", "UKR>source AZE>target"),
    _event("arrest_detention", "asserted", "RUS>source AZE>target"),
    _event("relations_downgrade", "asserted", "AZE>source RUS>target"),
    _event("diplomatic_protest", "asserted", "AZE>source RUS>target"),
    _event("arrest_detention", "asserted", "AZE>source RUS>target"),
    _event("official_visit", "asserted", "AZE>source UKR>target"),
    _event("alliance_membership", "asserted", "ARM>source CSTO>organisation"),
    _event("official_visit", "asserted", "EU>source ARM>target"),
    _event("agreement_signed", "asserted", "EU>party ARM>party"),
    _event("official_visit", "asserted", "ARM>source TUR>target"),
]


@pytest.fixture(scope="module")
def found() -> set[Found]:
    if not SEED.is_file():
        pytest.skip("the seed article is not beside the project")
    events = detect_events(SEED.read_text(encoding="utf-8"), load_watchlist(), on=DAY)
    return {
        (e.type, e.modality, frozenset((a.country or a.id, a.role) for a in e.actors))
        for e in events
    }


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: f"{e[0]}-{e[1]}")
def test_every_reported_event_is_found(found: set[Found], expected: Found) -> None:
    assert expected in found


def test_warrants_and_unfinished_accords_do_not_fire(found: set[Found]) -> None:
    kinds = {(kind, actors) for kind, _, actors in found}
    assert not any(kind == "arrest_detention" and ("ICC", "source") in a for kind, a in kinds)
    assert not any(kind == "agreement_signed" and ("AZE", "party") in a for kind, a in kinds)
