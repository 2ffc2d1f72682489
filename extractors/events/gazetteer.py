"""The actor gazetteer: states, organisations, groups, people and bodies with their aliases, read from
YAML and validated (file:line: reason), ready to be compiled into the matching automaton."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from extractors.events.normalize import normalise, normalise_phrase
from extractors.events.yamlsrc import Node, Source

ACTOR_KINDS = frozenset({"state", "organisation", "group", "person", "body", "company"})
# A state company (SOCAR, Gazprom) acts for its state, as a ministry does.
_ACTS_FOR_OTHERS = frozenset({"person", "body", "company"})
_ID_RE = re.compile(r"[A-Z][A-Z0-9_]*")
# fmt: off
_ACTOR_FIELDS = frozenset({
    "id", "kind", "name", "aliases", "demonyms", "capital", "metonyms", "case_sensitive",
    "country", "roles"
})
# fmt: on
_OFFICE_FIELDS = frozenset({"for", "title", "start", "end"})
NOT_ACTOR = "not_actor"


@dataclass(frozen=True)
class Office:
    """A person's office: whom they act for, from `start` to `end` (open ends allowed)."""

    acts_for: str
    title: str | None
    start: dt.date | None
    end: dt.date | None

    def holds_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Actor:
    """A watchlisted actor. `country` is whom a body or group acts for; people use `offices`."""

    id: str
    kind: str
    name: str
    country: str | None = None
    offices: tuple[Office, ...] = ()

    def acts_for(self, day: dt.date) -> str | None:
        """The state or organisation this person or body acts for on `day` (None for others)."""
        if self.kind not in _ACTS_FOR_OTHERS:
            return None
        if not self.offices:
            return self.country
        current = [office for office in self.offices if office.holds_on(day)]
        by_start = sorted(current or self.offices, key=lambda o: o.start or dt.date.min)
        return by_start[-1].acts_for


@dataclass(frozen=True)
class Alias:
    """One way an actor is written. `key` is the normalised form; `exact` aliases must match case."""

    key: str
    text: str
    actor_id: str
    category: str
    exact: bool
    file: str
    line: int


@dataclass(frozen=True)
class Reference:
    """An actor id mentioned by another entry (country, office), checked once every file is read."""

    target: str
    file: str
    line: int
    what: str


@dataclass
class ActorFile:
    """What one actors file contributed."""

    file: str
    actors: list[tuple[Actor, int]]
    aliases: list[Alias]
    references: list[Reference]


def _read_offices(source: Source, node: Node | None) -> tuple[list[Office], list[Reference]]:
    offices: list[Office] = []
    references: list[Reference] = []
    for item in source.items(node, "'roles'"):
        data = source.mapping(item, "role", _OFFICE_FIELDS)
        if data is None:
            continue
        acts_for = source.text(data, "for", item.line, required=True)
        start, end = source.date(data, "start"), source.date(data, "end")
        if start and end and end < start:
            source.problem(item.line, f"role ends ({end}) before it starts ({start})")
        if acts_for is not None:
            references.append(Reference(acts_for, source.file, data["for"].line, "role 'for'"))
            offices.append(
                Office(acts_for, source.text(data, "title", item.line, required=False), start, end)
            )
    return offices, references


def _read_aliases(
    source: Source, data: dict[str, Node], actor_id: str, name: str, line: int
) -> list[Alias]:
    exact = {text for text, _ in source.texts(data, "case_sensitive")}
    entries = [(name, line, "name")]
    for category in ("aliases", "demonyms", "capital", "metonyms", "case_sensitive"):
        entries += [(text, at, category) for text, at in source.texts(data, category)]
    aliases: dict[str, Alias] = {}
    for text, at, category in entries:
        key = normalise_phrase(text)
        if not key:
            source.problem(at, f"alias {text!r} has no letters or digits")
        elif key not in aliases or text in exact:
            # Keep only the characters the key covers, so an exact alias compares like for like.
            lead = len(normalise(text)) - len(normalise(text).lstrip())
            form = text[lead : lead + len(key)]
            aliases[key] = Alias(key, form, actor_id, category, text in exact, source.file, at)
    return list(aliases.values())


def _read_actor(source: Source, item: Node, found: ActorFile) -> None:
    data = source.mapping(item, "actor", _ACTOR_FIELDS)
    if data is None:
        return
    actor_id = source.text(data, "id", item.line, required=True)
    kind = source.text(data, "kind", item.line, required=True)
    name = source.text(data, "name", item.line, required=True)
    if actor_id is not None and not _ID_RE.fullmatch(actor_id):
        source.problem(
            data["id"].line, f"bad actor id {actor_id!r} (upper case letters, digits, _)"
        )
    if kind is not None and kind not in ACTOR_KINDS:
        source.problem(
            data["kind"].line, f"unknown actor kind {kind!r} ({', '.join(sorted(ACTOR_KINDS))})"
        )
    if kind != "state" and "capital" in data:
        source.problem(data["capital"].line, "'capital' is only for states")
    if kind != "person" and "roles" in data:
        source.problem(data["roles"].line, "'roles' are only for people")
    country = source.text(data, "country", item.line, required=False)
    if country is not None:
        found.references.append(Reference(country, source.file, data["country"].line, "country"))
    offices, references = _read_offices(source, data.get("roles"))
    found.references.extend(references)
    if actor_id is None or kind is None or name is None:
        return
    found.actors.append((Actor(actor_id, kind, name, country, tuple(offices)), item.line))
    found.aliases.extend(_read_aliases(source, data, actor_id, name, item.line))


def read_not_actors(source: Source, data: dict[str, Node]) -> list[Alias]:
    """Read a `not_actors:` list: names that hold an alias but name no actor ("USA Today", "Air
    France"); they win a hit by being longer and are then dropped. Their `actor_id` is empty."""
    found: dict[str, Alias] = {}
    for text, at in source.texts(data, "not_actors"):
        key = normalise_phrase(text)
        if not key:
            source.problem(at, f"not-actor phrase {text!r} has no letters or digits")
        elif key in found:
            source.problem(
                at, f"duplicate not-actor phrase {text!r} (first at line {found[key].line})"
            )
        else:
            found[key] = Alias(key, text, "", NOT_ACTOR, False, source.file, at)
    return list(found.values())


def read_actor_file(source: Source, node: Node) -> ActorFile:
    """Read the `actors:` list of one file, recording problems on `source`."""
    found = ActorFile(source.file, [], [], [])
    for item in source.items(node, "'actors'"):
        _read_actor(source, item, found)
    return found
