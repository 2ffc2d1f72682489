"""A known week for digest tests, stored for real: outlets publish articles in week 47 of 2026,
the week before and twelve weeks back, and the events are grouped into incidents."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from alerts.process import process_events
from storage.events import EventActor
from tests.alerting_data import Ev, publish, subscriptions

WEEK = "2026-W47"  # Monday 16 to Sunday 22 November 2026
BUILT = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
RUS_SRC = EventActor("RUS", "Russia", "source")
TALIBAN = EventActor("TALIBAN", "Taliban", "target")
PRK = EventActor("PRK", "North Korea", "source")
RUS = EventActor("RUS", "Russia", "target")
UKR = EventActor("UKR", "Ukraine", "target")
ARM = EventActor("ARM", "Armenia", "source")
CSTO = EventActor("CSTO", "Collective Security Treaty Organization", "target")
AZE = EventActor("AZE", "Azerbaijan", "party")
ARM_PARTY = EventActor("ARM", "Armenia", "party")
IRN = EventActor("IRN", "Iran", "source")
EU = EventActor("EU", "European Union", "source")
USA = EventActor("USA", "United States", "source")
CHN = EventActor("CHN", "China", "target")

DESK = """\
subscriptions:
  - name: moscow-desk
    channels:
      - email: [desk@example.org]
    match:
      actors: [RUS, PRK, ARM, TALIBAN]
    delivery: digest
"""


def _at(day: int, hour: int = 9, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


# (outlet, article key, events, copy of, published)
REPORTS: tuple[tuple[str, str, tuple[Ev, ...], str | None, datetime], ...] = (
    # Twelve weeks back: a strike, so this week's is no first time.
    (
        "meridian",
        "oct-strike",
        (Ev("military_strike", actors=(RUS_SRC, UKR)),),
        None,
        _at(5, 9, 10),
    ),
    # The week before: North Korean troops (again this week) and EU sanctions.
    ("northern", "nov-troops", (Ev("troop_deployment"),), None, _at(11)),
    ("meridian", "nov-sanctions", (Ev("sanctions", actors=(EU, RUS)),), None, _at(12)),
    # The week: Russia recognises the Taliban, told by two outlets and copied by a third.
    (
        "meridian",
        "recognition",
        (Ev("diplomatic_recognition", confidence=0.9, actors=(RUS_SRC, TALIBAN)),),
        None,
        _at(16, 8),
    ),
    (
        "northern",
        "recognition-own",
        (Ev("diplomatic_recognition", confidence=0.85, actors=(RUS_SRC, TALIBAN)),),
        None,
        _at(16, 10),
    ),
    (
        "ledger",
        "recognition-copy",
        (Ev("diplomatic_recognition", confidence=0.9, actors=(RUS_SRC, TALIBAN)),),
        "recognition",
        _at(16, 12),
    ),
    ("northern", "troops", (Ev("troop_deployment", confidence=0.85),), None, _at(17)),
    (
        "meridian",
        "strike",
        (Ev("military_strike", confidence=0.9, actors=(RUS_SRC, UKR)),),
        None,
        _at(18),
    ),
    ("ledger", "csto", (Ev("alliance_membership", "hedged", 0.7, (ARM, CSTO)),), None, _at(19)),
    (
        "meridian",
        "treaty",
        (Ev("agreement_signed", "future", 0.8, (ARM_PARTY, AZE)),),
        None,
        _at(20),
    ),
    # Denied, and between actors the desk does not follow: in no digest of the desk.
    ("ledger", "drones-denied", (Ev("arms_transfer", "negated", 0.8, (IRN, RUS)),), None, _at(21)),
    ("northern", "chips", (Ev("sanctions", confidence=0.9, actors=(USA, CHN)),), None, _at(21)),
)


def store_known_weeks(engine: Engine) -> None:
    """Publish every report at its time and group the events into incidents."""
    with engine.begin() as conn:
        for outlet, key, events, copy_of, published in REPORTS:
            event_ids = publish(conn, outlet, key, events, copy_of=copy_of, now=published)
            process_events(conn, event_ids, subscriptions(DESK), now=published)
