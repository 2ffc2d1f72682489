"""The watchlist: actors, event patterns and modality cues loaded from YAML, validated across files
(file:line: reason) and compiled once into the automaton the matcher runs."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from extractors.errors import ExtractorError
from extractors.events.gazetteer import (
    Actor,
    ActorFile,
    Alias,
    read_actor_file,
    read_not_actors,
)
from extractors.events.mentions import PREPOSITIONS
from extractors.events.modality import ModalityRules, read_modality
from extractors.events.patterns import Pattern, read_pattern, read_word_classes
from extractors.events.scan import Automaton, build_automaton
from extractors.events.yamlsrc import Node, Problem, Source, in_line_order

DATA_DIR = Path(__file__).parent / "data"
# The top-level key names the kind of a file; the other keys it may hold.
_FILE_FIELDS = {
    "actors": frozenset({"actors"}),
    "patterns": frozenset({"patterns", "words"}),
    "modality": frozenset({"modality"}),
    "not_actors": frozenset({"not_actors"}),
}
_ACTS_FOR_KINDS = frozenset({"state", "organisation", "group"})


class WatchlistError(ExtractorError):
    """The watchlist files have problems; `problems` lists each one with its file and line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(in_line_order(problems))
        super().__init__("invalid watchlist: " + "; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Watchlist:
    """Everything the matcher needs; `version` is a short hash of the files' content."""

    version: str
    files: tuple[str, ...]
    actors: Mapping[str, Actor]
    aliases: tuple[Alias, ...]
    not_actors: tuple[Alias, ...]
    patterns: tuple[Pattern, ...]
    modality: ModalityRules
    markers: frozenset[str]
    automaton: Automaton


@dataclass
class _Files:
    """Parsed files by kind, the problems met so far and the bytes that make up the version."""

    parsed: list[tuple[Source, dict[str, Node], str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    content: list[bytes] = field(default_factory=list)

    def kinds(self) -> set[str]:
        return {kind for _, _, kind in self.parsed}


def _expand(paths: Sequence[Path], problems: list[Problem]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), 1, "no such file or directory"))
    return files


def _parse_file(path: Path, files: _Files) -> None:
    source = Source(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        files.problems.append(Problem(str(path), 1, f"cannot read file: {exc}"))
        return
    files.content.append(path.name.encode() + b"\0" + text.encode() + b"\0")
    root = source.parse(text)
    keys = root.value if root is not None and isinstance(root.value, dict) else {}
    kind = next((k for k in _FILE_FIELDS if k in keys), None)
    if root is not None and kind is None:
        source.problem(
            root.line,
            "not a watchlist file: expected 'actors:', 'patterns:', 'modality:' or 'not_actors:'",
        )
    elif root is not None and kind is not None:
        files.parsed.append(
            (source, source.mapping(root, f"{kind} file", _FILE_FIELDS[kind]) or {}, kind)
        )
    files.problems += source.problems
    source.problems.clear()


def _read_files(paths: Sequence[Path] | None) -> _Files:
    files = _Files()
    for path in _expand(list(paths) if paths else [DATA_DIR], files.problems):
        _parse_file(path, files)
    missing = _FILE_FIELDS.keys() - files.kinds()
    if missing:
        # A partial watchlist (say, patterns only) is completed with the shipped files.
        shipped = _Files(content=files.content)
        for path in _expand([DATA_DIR], shipped.problems):
            _parse_file(path, shipped)
        files.parsed += [item for item in shipped.parsed if item[2] in missing]
        files.problems += shipped.problems
    return files


def _check_ids(files: Sequence[ActorFile], problems: list[Problem]) -> dict[str, Actor]:
    actors: dict[str, Actor] = {}
    defined: dict[str, str] = {}
    for found in files:
        for actor, line in found.actors:
            if actor.id in actors:
                reason = f"duplicate actor id {actor.id!r} (first at {defined[actor.id]})"
                problems.append(Problem(found.file, line, reason))
            else:
                actors[actor.id], defined[actor.id] = actor, f"{found.file}:{line}"
    return actors


def _check_aliases(files: Sequence[ActorFile], problems: list[Problem]) -> None:
    seen: dict[str, Alias] = {}
    for alias in (a for found in files for a in found.aliases):
        first = seen.setdefault(alias.key, alias)
        if first.actor_id != alias.actor_id:
            where = f"{first.file}:{first.line}"
            reason = f"duplicate alias {alias.text!r}: also {first.actor_id} at {where}"
            problems.append(Problem(alias.file, alias.line, reason))


def _check_not_actors(
    files: Sequence[ActorFile], not_actors: Sequence[Alias], problems: list[Problem]
) -> None:
    """A not-actor phrase must not also be an actor's alias: it would hide that actor everywhere."""
    keys = {a.key: a for found in files for a in found.aliases}
    for phrase in not_actors:
        if (alias := keys.get(phrase.key)) is not None:
            where = f"{alias.file}:{alias.line}"
            reason = f"not-actor phrase {phrase.text!r} is an alias of {alias.actor_id} at {where}"
            problems.append(Problem(phrase.file, phrase.line, reason))


def _check_references(
    files: Sequence[ActorFile], actors: Mapping[str, Actor], problems: list[Problem]
) -> None:
    for ref in (r for found in files for r in found.references):
        target = actors.get(ref.target)
        if target is None:
            problems.append(
                Problem(ref.file, ref.line, f"unknown actor {ref.target!r} in {ref.what}")
            )
        elif target.kind not in _ACTS_FOR_KINDS:
            reason = f"{ref.what} {ref.target!r} must be a state, organisation or group"
            problems.append(Problem(ref.file, ref.line, reason))


def _check_pattern_ids(patterns: Sequence[Pattern], problems: list[Problem]) -> None:
    seen: dict[str, Pattern] = {}
    for pattern in patterns:
        first = seen.setdefault(pattern.id, pattern)
        if first is not pattern:
            reason = f"duplicate pattern id {pattern.id!r} (first at {first.file}:{first.line})"
            problems.append(Problem(pattern.file, pattern.line, reason))


def _build(files: _Files) -> tuple[Watchlist | None, list[Problem]]:
    problems = list(files.problems)
    actor_files: list[ActorFile] = []
    patterns: list[Pattern] = []
    modality: list[ModalityRules] = []
    not_actors: list[Alias] = []
    for source, data, kind in files.parsed:
        if kind == "actors":
            actor_files.append(read_actor_file(source, data[kind]))
        elif kind == "patterns":
            classes = read_word_classes(source, data["words"]) if "words" in data else {}
            items = source.items(data[kind], "'patterns'")
            patterns += [p for item in items if (p := read_pattern(source, item, classes))]
        elif kind == "not_actors":
            not_actors += read_not_actors(source, data)
        elif rules := read_modality(source, data[kind]):
            modality.append(rules)
        problems += source.problems
    actors = _check_ids(actor_files, problems)
    _check_aliases(actor_files, problems)
    _check_references(actor_files, actors, problems)
    _check_not_actors(actor_files, not_actors, problems)
    _check_pattern_ids(patterns, problems)
    problems.sort(key=lambda p: (p.file, p.line))
    if problems or not modality:
        return None, problems
    aliases = tuple(a for found in actor_files for a in found.aliases)
    slot_words = {word for p in patterns for r in p.roles for s in r.slots for word in s.words}
    watchlist = Watchlist(
        version=hashlib.sha256(b"".join(files.content)).hexdigest()[:12],
        files=tuple(source.file for source, _, _ in files.parsed),
        actors=actors,
        aliases=aliases,
        not_actors=tuple(not_actors),
        patterns=tuple(patterns),
        modality=modality[0],
        markers=PREPOSITIONS | slot_words,
        automaton=build_automaton(aliases, patterns, not_actors),
    )
    return watchlist, problems


def check_watchlist(paths: Sequence[Path] | None = None) -> list[Problem]:
    """Every problem of the watchlist made of `paths` (files or directories; kinds of file missing
    from them come from the shipped watchlist), sorted by file and line."""
    return _build(_read_files(paths))[1]


@functools.cache
def _shipped() -> Watchlist:
    return load_watchlist([DATA_DIR])


def load_watchlist(paths: Sequence[Path] | None = None) -> Watchlist:
    """Load and compile a watchlist (default: the shipped one, loaded once); kinds of file missing
    from `paths` come from the shipped data. Raises WatchlistError listing every problem."""
    if paths is None:
        return _shipped()
    watchlist, problems = _build(_read_files(paths))
    if watchlist is None:
        raise WatchlistError(problems)
    return watchlist
