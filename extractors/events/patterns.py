"""Event patterns: the small trigger and role-slot language of `patterns.yaml`, parsed and validated.

Trigger: steps separated by spaces must be adjacent words; `...` (or `...N`) allows a gap of up to 4 (N)
words; `a/b/c` are alternatives; `word*` matches any ending; `_` joins words into one alternative;
`@name` stands for the alternatives of a word class from the file's `words:` section.
Role slots: `subject`, `object` (both follow the voice), `before`, `possessor`, `inside`,
`after w1/w2`; `|` takes the first slot that finds an actor, `+` takes every actor found."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from extractors.events.model import EVENT_ROLES, MARKS
from extractors.events.normalize import normalise_phrase
from extractors.events.yamlsrc import Node, Source

DEFAULT_GAP = 4
DEFAULT_WINDOW = 10
SLOT_KINDS = frozenset({"subject", "object", "before", "possessor", "inside", "after"})
# Words so frequent that the automaton would report them everywhere; steps made only of them are
# checked in the few sentences where the rest of the trigger was found.
# fmt: off
COMMON_WORDS = frozenset({
    "to", "of", "in", "for", "on", "with", "at", "by", "into", "onto", "from", "as", "and", "or",
    "the", "a", "an", "has", "have", "had", "is", "are", "was", "were", "be", "been", "it", "its",
    "their", "his", "her", "down", "up", "out", "off", "over", "against", "between", "about",
    "after", "before"
})
# fmt: on
_GAP_RE = re.compile(r"\.\.\.(\d*)")
_WORD_RE = re.compile(r"[^\W_][\w'’.-]*\*?")
_CLASS_RE = re.compile(r"@([a-z_]+)")
_PATTERN_FIELDS = frozenset(
    ["id", "type", "mark", "triggers", "roles", "optional", "window", "veto", "weight", "symmetric"]
)


@dataclass(frozen=True)
class Step:
    """One word position of a trigger: normalised alternatives; a trailing `*` marks a stem.
    A `common` step holds an everyday word ("to", "with"): it is looked up in the sentence, not by
    the automaton. `words`, `stems` and `phrases` sort the alternatives for fast matching."""

    alternatives: tuple[str, ...]
    common: bool = False
    words: frozenset[str] = frozenset()
    stems: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def of(cls, alternatives: Sequence[str]) -> Step:
        stems = tuple(a[:-1] for a in alternatives if a.endswith("*"))
        exact = [a for a in alternatives if not a.endswith("*")]
        return cls(
            tuple(alternatives),
            any(a in COMMON_WORDS for a in alternatives),
            frozenset(a for a in exact if " " not in a),
            stems,
            tuple(tuple(a.split()) for a in exact if " " in a),
        )


@dataclass(frozen=True)
class Trigger:
    """A sequence of steps; `gaps[i]` is how many words may sit between step i and step i+1."""

    text: str
    steps: tuple[Step, ...]
    gaps: tuple[int, ...]


@dataclass(frozen=True)
class Slot:
    """Where to look for a role's actor; `words` are the governing words of an `after` slot."""

    kind: str
    words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RoleSpec:
    """The slots tried for one role; `collect` takes the actors of every slot instead of the first."""

    role: str
    slots: tuple[Slot, ...]
    collect: bool


@dataclass(frozen=True)
class Pattern:
    """One way an event is written. `veto` phrases anywhere in the sentence cancel it; `symmetric`
    events ("X and Y held talks") give the first actor the source role and the others the target;
    its events carry `mark` (one of model.MARKS)."""

    id: str
    type: str
    triggers: tuple[Trigger, ...]
    roles: tuple[RoleSpec, ...]
    optional: frozenset[str]
    window: int
    veto: tuple[Trigger, ...]
    weight: float
    symmetric: bool
    file: str
    line: int
    mark: str | None = None

    @functools.cached_property
    def required(self) -> int:
        """How many of its roles must be filled (at least one, when all are optional)."""
        return max(1, sum(1 for spec in self.roles if spec.role not in self.optional))


def parse_trigger(text: str, classes: Mapping[str, Step]) -> Trigger:
    """Parse trigger syntax; raises ValueError with a readable reason."""
    steps: list[Step] = []
    gaps: list[int] = []
    pending_gap: int | None = None
    for token in text.split():
        gap = _GAP_RE.fullmatch(token)
        if gap:
            if not steps or pending_gap is not None:
                raise ValueError(f"'{token}' must stand between two words")
            pending_gap = int(gap.group(1) or DEFAULT_GAP)
            if not 1 <= pending_gap <= 10:
                raise ValueError(f"gap '{token}' must be between 1 and 10 words")
            continue
        steps.append(_parse_step(token, classes))
        if len(steps) > 1:
            gaps.append(pending_gap or 0)
        pending_gap = None
    if not steps:
        raise ValueError("empty trigger")
    if steps[0].common:
        raise ValueError("a trigger cannot start with an everyday word such as 'to' or 'with'")
    if pending_gap is not None:
        raise ValueError("a trigger cannot end with '...'")
    return Trigger(text, tuple(steps), tuple(gaps))


def step_matches(step: Step, word: str) -> bool:
    """Whether one word is one of the step's single-word alternatives."""
    return word in step.words or (bool(step.stems) and word.startswith(step.stems))


def phrase_at(words: Sequence[str], start: int, trigger: Trigger) -> bool:
    """Whether the gap-free `trigger` occurs in `words` at `start` (multi-word alternatives allowed)."""
    for step in trigger.steps:
        if start < len(words) and step_matches(step, words[start]):
            start += 1
            continue
        size = next((len(p) for p in step.phrases if tuple(words[start : start + len(p)]) == p), 0)
        if not size:
            return False
        start += size
    return True


def _parse_step(token: str, classes: Mapping[str, Step]) -> Step:
    alternatives: list[str] = []
    for raw in token.split("/"):
        named = _CLASS_RE.fullmatch(raw)
        if named:
            if named.group(1) not in classes:
                raise ValueError(f"unknown word class '{raw}'")
            alternatives += classes[named.group(1)].alternatives
            continue
        if not _WORD_RE.fullmatch(raw):
            raise ValueError(
                f"bad word {raw!r} in '{token}' (letters, digits, ' - . _ and a final *)"
            )
        stem = raw.endswith("*")
        word = normalise_phrase(raw.rstrip("*"))
        if stem and len(word) < 3:
            raise ValueError(f"stem {raw!r} is too short (at least 3 letters before '*')")
        alternatives.append(word + ("*" if stem else ""))
    return Step.of(alternatives)


def read_word_classes(source: Source, node: Node) -> dict[str, Step]:
    """Read a `words:` section: class name -> alternatives, written like one trigger step."""
    classes: dict[str, Step] = {}
    if not isinstance(node.value, dict):
        source.problem(node.line, "'words' must be a mapping of name: alternatives")
        return classes
    for name, value in node.value.items():
        if not re.fullmatch(r"[a-z_]+", name) or not isinstance(value.value, str):
            source.problem(value.line, f"word class {name!r} needs a lower-case name and a string")
            continue
        try:
            classes[name] = _parse_step(value.value.replace(" ", ""), classes)
        except ValueError as exc:
            source.problem(value.line, f"bad word class {name!r}: {exc}")
    return classes


def parse_slots(text: str) -> tuple[tuple[Slot, ...], bool]:
    """Parse `slot | slot` or `slot + slot`; returns the slots and whether every one is collected."""
    if "|" in text and "+" in text:
        raise ValueError("use either '|' or '+' between slots, not both")
    collect = "+" in text
    slots: list[Slot] = []
    for part in re.split(r"[|+]", text):
        kind, _, rest = part.strip().partition(" ")
        if kind not in SLOT_KINDS:
            raise ValueError(f"unknown slot {kind!r} (one of {', '.join(sorted(SLOT_KINDS))})")
        words = frozenset(normalise_phrase(w) for w in rest.split("/") if w.strip())
        if (kind == "after") != bool(words):
            raise ValueError(f"'after' needs words (after to/into); {kind!r} takes none")
        slots.append(Slot(kind, words))
    return tuple(slots), collect


def _read_roles(source: Source, node: Node | None, event_type: str, line: int) -> list[RoleSpec]:
    if node is None or not isinstance(node.value, dict):
        source.problem(node.line if node else line, "'roles' must be a mapping of role: slots")
        return []
    specs: list[RoleSpec] = []
    for role, value in node.value.items():
        if role not in EVENT_ROLES[event_type]:
            source.problem(value.line, f"unknown role {role!r} for {event_type}")
        elif not isinstance(value.value, str):
            source.problem(value.line, f"role '{role}' must be a slot string")
        else:
            try:
                slots, collect = parse_slots(value.value)
            except ValueError as exc:
                source.problem(value.line, f"bad slots for role '{role}': {exc}")
                continue
            specs.append(RoleSpec(role, slots, collect))
    return specs


def _read_triggers(
    source: Source, data: dict[str, Node], line: int, classes: Mapping[str, Step]
) -> list[Trigger]:
    triggers: list[Trigger] = []
    entries = source.texts(data, "triggers")
    if not entries and "triggers" not in data:
        source.problem(line, "missing required field 'triggers'")
    for text, at in entries:
        try:
            triggers.append(parse_trigger(text, classes))
        except ValueError as exc:
            source.problem(at, f"bad trigger {text!r}: {exc}")
    return triggers


def read_pattern(source: Source, item: Node, classes: Mapping[str, Step]) -> Pattern | None:
    """Read and validate one entry of `patterns:`; None when it is unusable."""
    data = source.mapping(item, "pattern", _PATTERN_FIELDS)
    if data is None:
        return None
    pattern_id = source.text(data, "id", item.line, required=True)
    event_type = source.text(data, "type", item.line, required=True)
    if event_type is not None and event_type not in EVENT_ROLES:
        source.problem(data["type"].line, f"unknown event type {event_type!r}")
        event_type = None
    mark = source.text(data, "mark", item.line, required=False)
    if mark is not None and event_type is not None and MARKS.get(mark) != event_type:
        known = ", ".join(f"{m} ({t})" for m, t in MARKS.items())
        source.problem(data["mark"].line, f"no mark {mark!r} for {event_type}; marks: {known}")
    triggers = _read_triggers(source, data, item.line, classes)
    roles = _read_roles(source, data.get("roles"), event_type, item.line) if event_type else []
    optional = source.texts(data, "optional")
    for role, at in optional:
        if event_type and role not in EVENT_ROLES[event_type]:
            source.problem(at, f"unknown role {role!r} for {event_type}")
    window = source.number(data, "window", DEFAULT_WINDOW)
    weight = source.number(data, "weight", 0.8)
    if not 0 < weight <= 1:
        source.problem(data["weight"].line, "'weight' must be in (0, 1]")
    veto: list[Trigger] = []
    for text, at in source.texts(data, "veto"):
        try:
            veto.append(parse_trigger(text, classes))
        except ValueError as exc:
            source.problem(at, f"bad veto {text!r}: {exc}")
        if veto and any(veto[-1].gaps):
            source.problem(at, f"bad veto {text!r}: a veto phrase cannot have gaps")
    symmetric = data.get("symmetric")
    if symmetric is not None and not isinstance(symmetric.value, bool):
        source.problem(symmetric.line, "'symmetric' must be true or false")
    if pattern_id is None or event_type is None or not triggers or not roles:
        return None
    return Pattern(
        pattern_id,
        event_type,
        tuple(triggers),
        tuple(roles),
        frozenset(r for r, _ in optional),
        int(window),
        tuple(veto),
        weight,
        bool(symmetric and symmetric.value is True),
        source.file,
        item.line,
        mark,
    )
