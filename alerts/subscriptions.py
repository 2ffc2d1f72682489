"""Subscriptions: who receives which alerts, where, and how often; read from YAML and validated so
that every problem names its file and line, like the watchlist."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alerts.targets import ChannelSpec, parse_channel
from extractors.events.model import EVENT_TYPES, MARKS, MODALITIES
from extractors.events.yamlsrc import Node, Problem, Source, in_line_order

DELIVERY_MODES = ("instant", "hourly", "digest")
# Negated events ("X denied sending troops") never alert unless a subscription asks for them.
DEFAULT_MODALITIES = frozenset({"asserted", "hedged", "future"})
DEFAULT_MAX_PER_HOUR = 20
UTC_ZONE = ZoneInfo("UTC")

_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_ACTOR_RE = re.compile(r"[A-Z][A-Z0-9_]*")
_TIME_RE = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_SUBSCRIPTION_FIELDS = frozenset(
    {"name", "channels", "match", "delivery", "cooldown_minutes", "max_per_hour"}
    | {"quiet_hours", "timezone"}
)
_MATCH_FIELDS = frozenset(
    {"actors", "pairs", "event_types", "marks", "min_confidence", "modalities"}
)
# Marked incidents that alert unless a subscription lists its own `marks`: a withdrawal is news, a
# phone call between leaders mostly is not.
DEFAULT_MARKS = frozenset({"withdrawal"})


@dataclass(frozen=True)
class QuietHours:
    """Local times between which nothing is delivered; `start` > `end` spans midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True)
class Match:
    """Which incidents alert: empty `actors` and `pairs` mean any actors, empty `event_types` any
    type. An incident matches with any of `actors` or both actors of any of `pairs`; a marked one
    (a phone call, a withdrawal) only when its mark is in `marks`."""

    actors: frozenset[str] = frozenset()
    pairs: tuple[frozenset[str], ...] = ()
    event_types: frozenset[str] = frozenset()
    min_confidence: float = 0.0
    modalities: frozenset[str] = DEFAULT_MODALITIES
    marks: frozenset[str] = DEFAULT_MARKS


@dataclass(frozen=True)
class Subscription:
    """One analyst's or desk's alerts: what matches, where it goes, when and how grouped."""

    name: str
    channels: tuple[ChannelSpec, ...]
    match: Match = field(default_factory=Match)
    delivery: str = "instant"  # one of DELIVERY_MODES
    cooldown: timedelta = timedelta(0)
    max_per_hour: int = DEFAULT_MAX_PER_HOUR
    quiet_hours: QuietHours | None = None
    timezone: ZoneInfo = UTC_ZONE


class SubscriptionError(Exception):
    """The subscriptions file has problems; `problems` lists each with its file and line."""

    def __init__(self, problems: Collection[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid subscriptions: " + "; ".join(str(p) for p in self.problems))


def load_subscriptions(
    path: Path, *, known_actors: Collection[str] | None = None
) -> tuple[Subscription, ...]:
    """The subscriptions in `path`; raises SubscriptionError listing every problem found."""
    subscriptions, problems = check_subscriptions(path, known_actors=known_actors)
    if problems:
        raise SubscriptionError(problems)
    return subscriptions


def check_subscriptions(
    path: Path, *, known_actors: Collection[str] | None = None
) -> tuple[tuple[Subscription, ...], list[Problem]]:
    """The valid subscriptions in `path` and the problems of the others (unknown actor ids are
    problems when `known_actors` is given)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return (), [Problem(str(path), 1, f"cannot read file: {exc}")]
    return parse_subscriptions(text, file=str(path), known_actors=known_actors)


def parse_subscriptions(
    text: str, *, file: str = "<subscriptions>", known_actors: Collection[str] | None = None
) -> tuple[tuple[Subscription, ...], list[Problem]]:
    """Like `check_subscriptions`, for YAML text in memory."""
    source = Source(file)
    subscriptions = _read_file(source, source.parse(text), known_actors)
    return subscriptions, in_line_order(source.problems)


def _read_file(
    source: Source, root: Node | None, known_actors: Collection[str] | None
) -> tuple[Subscription, ...]:
    if root is None:
        return ()
    data = source.mapping(root, "the subscriptions file", frozenset({"subscriptions"}))
    if data is None:
        return ()
    found: list[Subscription] = []
    seen: set[str] = set()
    for node in source.items(data.get("subscriptions"), "'subscriptions'"):
        before = len(source.problems)
        subscription = _subscription(source, node, known_actors)
        if subscription is None or len(source.problems) > before:
            continue
        if subscription.name in seen:
            source.problem(node.line, f"subscription '{subscription.name}' is defined twice")
            continue
        seen.add(subscription.name)
        found.append(subscription)
    return tuple(found)


def _subscription(
    source: Source, node: Node, known_actors: Collection[str] | None
) -> Subscription | None:
    data = source.mapping(node, "a subscription", _SUBSCRIPTION_FIELDS)
    if data is None:
        return None
    name = source.text(data, "name", node.line, required=True)
    if name is not None and not _NAME_RE.fullmatch(name):
        source.problem(data["name"].line, f"bad subscription name {name!r}: letters, digits, _ . -")
    channels = tuple(_channels(source, data.get("channels"), node.line))
    delivery = source.text(data, "delivery", node.line, required=False) or "instant"
    if delivery not in DELIVERY_MODES:
        modes = ", ".join(DELIVERY_MODES)
        source.problem(data["delivery"].line, f"'delivery' must be one of {modes}")
    cooldown = source.number(data, "cooldown_minutes", 0.0)
    max_per_hour = source.number(data, "max_per_hour", DEFAULT_MAX_PER_HOUR)
    if cooldown < 0 or max_per_hour < 1 or max_per_hour != int(max_per_hour):
        line = node.line if "max_per_hour" not in data else data["max_per_hour"].line
        source.problem(line, "'cooldown_minutes' must be >= 0, 'max_per_hour' a whole number >= 1")
    match_node = data.get("match")
    match = _match(source, match_node, known_actors) if match_node is not None else Match()
    return Subscription(
        name=name or "",
        channels=channels,
        match=match or Match(),
        delivery=delivery,
        cooldown=timedelta(minutes=cooldown),
        max_per_hour=int(max_per_hour),
        quiet_hours=_quiet_hours(source, data.get("quiet_hours")),
        timezone=_timezone(source, data.get("timezone")),
    )


def _channels(source: Source, node: Node | None, line: int) -> list[ChannelSpec]:
    items = source.items(node, "'channels'")
    if not items:
        source.problem(node.line if node else line, "a subscription needs at least one channel")
    specs = [parse_channel(source, item) for item in items]
    return [spec for spec in specs if spec is not None]


def _match(source: Source, node: Node, known_actors: Collection[str] | None) -> Match | None:
    data = source.mapping(node, "'match'", _MATCH_FIELDS)
    if data is None:
        return None
    actors = source.texts(data, "actors")
    pairs: list[frozenset[str]] = []
    mentioned = list(actors)
    for pair in source.items(data.get("pairs"), "'pairs'"):
        members = source.texts({"pair": pair}, "pair")
        if len(members) != 2 or members[0][0] == members[1][0]:
            source.problem(pair.line, "a pair is a list of two different actor ids")
            continue
        mentioned += members
        pairs.append(frozenset(actor for actor, _ in members))
    for actor, line in mentioned:
        if not _ACTOR_RE.fullmatch(actor):
            source.problem(line, f"bad actor id {actor!r}: upper case, digits and _ (e.g. RUS)")
        elif known_actors is not None and actor not in known_actors:
            source.problem(line, f"unknown actor {actor!r}: not in the watchlist")
    event_types = _choices(source, data, "event_types", EVENT_TYPES, "event type")
    modalities = _choices(source, data, "modalities", MODALITIES, "modality")
    marks = _choices(source, data, "marks", tuple(MARKS), "mark")
    confidence = source.number(data, "min_confidence", 0.0)
    if not 0.0 <= confidence <= 1.0:
        source.problem(data["min_confidence"].line, "'min_confidence' must be between 0 and 1")
    return Match(
        actors=frozenset(actor for actor, _ in actors),
        pairs=tuple(pairs),
        event_types=event_types,
        min_confidence=confidence,
        modalities=modalities if "modalities" in data else DEFAULT_MODALITIES,
        marks=marks if "marks" in data else DEFAULT_MARKS,
    )


def _choices(
    source: Source, data: dict[str, Node], key: str, allowed: tuple[str, ...], what: str
) -> frozenset[str]:
    values = source.texts(data, key)
    for value, line in values:
        if value not in allowed:
            source.problem(line, f"unknown {what} {value!r} ({', '.join(allowed)})")
    return frozenset(value for value, _ in values)


def _quiet_hours(source: Source, node: Node | None) -> QuietHours | None:
    if node is None or node.value is None:
        return None
    data = source.mapping(node, "'quiet_hours'", frozenset({"start", "end"}))
    if data is None:
        return None
    times = [_time(source, data, key, node.line) for key in ("start", "end")]
    if times[0] is None or times[1] is None:
        return None
    return QuietHours(times[0], times[1])


def _time(source: Source, data: dict[str, Node], key: str, line: int) -> time | None:
    node = data.get(key)
    found = _TIME_RE.fullmatch(node.value) if node and isinstance(node.value, str) else None
    if found is None:
        # Unquoted 22:00 is a base-60 integer in YAML 1.1, hence the hint about quotes.
        source.problem(node.line if node else line, f"'{key}' must be a quoted time like \"22:00\"")
        return None
    return time(int(found[1]), int(found[2]))


def _timezone(source: Source, node: Node | None) -> ZoneInfo:
    if node is None or node.value is None:
        return UTC_ZONE
    try:
        return ZoneInfo(str(node.value))
    except (ZoneInfoNotFoundError, ValueError):
        source.problem(node.line, f"unknown time zone {node.value!r} (e.g. Europe/Berlin)")
        return UTC_ZONE
