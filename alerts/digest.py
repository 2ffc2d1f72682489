"""The weekly digest as plain data: what a subscription's actors did in a period, ranked, with what
is new, what was only reported or planned, how it compares with the period before, and which
sources need a look. `build_digest` is a pure function; `alerts.weekly` reads its inputs."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter

from alerts.health import FeedHealth
from alerts.message import AlertItem, alert_item
from alerts.period import Period
from alerts.rules import matches
from alerts.subscriptions import Match
from storage.incidents import Incident, IncidentSource

# How much an event type matters to analysts of state behaviour, for ranking only.
TYPE_WEIGHTS = {
    "troop_deployment": 1.0,
    "military_strike": 1.0,
    "alliance_membership": 0.95,
    "diplomatic_recognition": 0.95,
    "arms_transfer": 0.9,
    "sanctions": 0.8,
    "agreement_signed": 0.75,
    "relations_downgrade": 0.7,
    "diplomatic_protest": 0.6,
    "arrest_detention": 0.6,
    "official_visit": 0.4,
}
# A fact outranks the same thing reported unconfirmed, which outranks an announced plan.
MODALITY_WEIGHTS = {"asserted": 1.0, "hedged": 0.6, "future": 0.5}
LISTED_MODALITIES = tuple(MODALITY_WEIGHTS)  # negated events are left out of digests


@dataclass(frozen=True)
class DigestOptions:
    top: int = 10  # asserted incidents shown in full
    listed: int = 10  # hedged and planned incidents shown, each
    first_time: int = 20  # first-time items shown
    pairs: int = 12  # rows of the actor table
    lookback_weeks: int = 12  # "first time": not seen in this many weeks before the period


DEFAULT_OPTIONS = DigestOptions()


@dataclass(frozen=True, kw_only=True)
class DigestItem(AlertItem):
    """One incident as the digest shows it. `independent_outlets` counts the outlets that wrote
    their own report: a syndicated copy of another outlet's story adds an outlet, not a voice."""

    outlets: int
    independent_outlets: int
    importance: float
    first_time: bool


@dataclass(frozen=True)
class Totals:
    incidents: int
    articles: int
    outlets: int


@dataclass(frozen=True)
class TypeCount:
    event_type: str
    count: int
    previous: int


@dataclass(frozen=True)
class PairCount:
    actors: tuple[str, ...]
    count: int
    event_types: tuple[str, ...]


@dataclass(frozen=True)
class DayCount:
    day: date
    event_type: str
    count: int


@dataclass(frozen=True)
class Digest:
    """A subscription's digest of `period`; `hedged_total` and the like count all, shown or not."""

    subscription: str
    period: Period
    previous_period: Period
    generated_at: datetime
    lookback_weeks: int
    totals: Totals
    previous_totals: Totals
    top: tuple[DigestItem, ...]
    first_time: tuple[DigestItem, ...]
    hedged: tuple[DigestItem, ...]
    planned: tuple[DigestItem, ...]
    first_time_total: int
    asserted_total: int
    hedged_total: int
    planned_total: int
    by_type: tuple[TypeCount, ...]
    by_pair: tuple[PairCount, ...]
    per_day: tuple[DayCount, ...]
    health: tuple[FeedHealth, ...]

    @property
    def empty(self) -> bool:
        return self.totals.incidents == 0


_ADAPTER: TypeAdapter[Digest] = TypeAdapter(Digest)


def digest_to_json(digest: Digest) -> dict[str, Any]:
    """The digest as JSON-ready data (the webhook body, the stored copy, `--format json`)."""
    data: dict[str, Any] = _ADAPTER.dump_python(digest, mode="json")
    return data


def digest_from_json(data: Mapping[str, Any]) -> Digest:
    return _ADAPTER.validate_python(data)


def importance(incident: Incident, independent_outlets: int) -> float:
    """Type weight x confidence x modality weight x (1 + log2 of the independent outlets)."""
    weight = TYPE_WEIGHTS.get(incident.event_type, 0.5) * MODALITY_WEIGHTS[incident.modality]
    return round(weight * incident.confidence * (1 + math.log2(max(independent_outlets, 1))), 4)


def independent_outlets(sources: Sequence[IncidentSource]) -> int:
    """Outlets that first reported one of the incident's stories (`sources` earliest first)."""
    first_by_story: dict[int, str] = {}
    for source in sources:
        first_by_story.setdefault(source.story_id, source.outlet)
    return len(set(first_by_story.values()))


def selected(incidents: Iterable[Incident], match: Match) -> list[Incident]:
    """What the subscription follows, never the denied."""
    return [i for i in incidents if i.modality in LISTED_MODALITIES and matches(match, i)]


def _item(incident: Incident, sources: Sequence[IncidentSource], first_time: bool) -> DigestItem:
    independent = independent_outlets(sources)
    return DigestItem(
        **vars(alert_item(incident, sources)),
        outlets=len({s.outlet for s in sources}),
        independent_outlets=independent,
        importance=importance(incident, independent),
        first_time=first_time,
    )


def _totals(
    incidents: Sequence[Incident], sources: Mapping[int, Sequence[IncidentSource]]
) -> Totals:
    articles = {a for i in incidents for a in i.article_ids}
    outlets = {s.outlet for i in incidents for s in sources.get(i.id or 0, ())}
    return Totals(len(incidents), len(articles), len(outlets))


def _ranked(items: Iterable[DigestItem]) -> list[DigestItem]:
    return sorted(items, key=lambda i: (-i.importance, i.first_seen, i.incident_id))


def build_digest(
    subscription: str,
    period: Period,
    *,
    current: Sequence[Incident],
    previous: Sequence[Incident],
    sources: Mapping[int, Sequence[IncidentSource]],
    seen_before: set[tuple[str, str]],
    health: tuple[FeedHealth, ...],
    generated_at: datetime,
    options: DigestOptions = DEFAULT_OPTIONS,
) -> Digest:
    """The digest of `current` (the period's selected incidents) against `previous` (the period
    before). `seen_before` holds the (type, actor key) of the lookback weeks: an incident between
    two or more actors whose kind is not there is a first time."""
    new_kinds: set[tuple[str, str]] = set()
    items: list[DigestItem] = []
    for incident in current:
        kind = (incident.event_type, incident.actor_key)
        first = len(incident.actors) > 1 and kind not in seen_before and kind not in new_kinds
        if first:
            new_kinds.add(kind)
        items.append(_item(incident, sources.get(incident.id or 0, ()), first))
    by_modality: dict[str, list[DigestItem]] = defaultdict(list)
    for item in _ranked(items):
        by_modality[item.modality].append(item)
    asserted, hedged, planned = (by_modality[m] for m in LISTED_MODALITIES)
    firsts = [item for item in _ranked(items) if item.first_time]
    return Digest(
        subscription=subscription,
        period=period,
        previous_period=period.previous(),
        generated_at=generated_at,
        lookback_weeks=options.lookback_weeks,
        totals=_totals(current, sources),
        previous_totals=_totals(previous, sources),
        top=tuple(asserted[: options.top]),
        first_time=tuple(firsts[: options.first_time]),
        hedged=tuple(hedged[: options.listed]),
        planned=tuple(planned[: options.listed]),
        first_time_total=len(firsts),
        asserted_total=len(asserted),
        hedged_total=len(hedged),
        planned_total=len(planned),
        by_type=_by_type(current, previous),
        by_pair=_by_pair(current, options.pairs),
        per_day=_per_day(current, period),
        health=health,
    )


def _by_type(current: Sequence[Incident], previous: Sequence[Incident]) -> tuple[TypeCount, ...]:
    now = Counter(i.event_type for i in current)
    before = Counter(i.event_type for i in previous)
    kinds = sorted(set(now) | set(before), key=lambda t: (-now[t], -before[t], t))
    return tuple(TypeCount(t, now[t], before[t]) for t in kinds)


def _by_pair(current: Sequence[Incident], limit: int) -> tuple[PairCount, ...]:
    counts: Counter[str] = Counter()
    kinds: dict[str, set[str]] = defaultdict(set)
    for incident in current:
        counts[incident.actor_key] += 1
        kinds[incident.actor_key].add(incident.event_type)
    ranked = sorted(counts, key=lambda key: (-counts[key], key))[:limit]
    return tuple(
        PairCount(tuple(key.split(",")), counts[key], tuple(sorted(kinds[key]))) for key in ranked
    )


def _per_day(current: Sequence[Incident], period: Period) -> tuple[DayCount, ...]:
    zone = ZoneInfo(period.timezone)
    counts = Counter((i.first_seen.astimezone(zone).date(), i.event_type) for i in current)
    return tuple(DayCount(day, kind, count) for (day, kind), count in sorted(counts.items()))
