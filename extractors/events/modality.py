"""Modality: whether an event is asserted, hedged, planned (future) or negated, from cue words around
its trigger. Cue lists are data (modality.yaml)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from extractors.events.normalize import normalise_phrase
from extractors.events.yamlsrc import Node, Source

# Precedence when cues of several kinds apply: negation wins, then a hedge, then a plan.
PRECEDENCE: tuple[str, ...] = ("negated", "hedged", "future")
# Cues that are no modality: "since then", "still" make an event background (recalled, not news);
# "urged ... to" makes it a request, no event at all. Both sections may be left out.
BACKGROUND, REQUESTED = "background", "requested"
_OPTIONAL_KINDS = (BACKGROUND, REQUESTED)
_SECTION_FIELDS = frozenset({"breaks", "except", *PRECEDENCE, *_OPTIONAL_KINDS})
_COORDINATING = frozenset({"and", "but", "or"})
# How far before "and V-ed" a negation may stand and still govern the second verb ("was not
# arrested and charged").
_NEGATION_REACH = 3
_TIME_PREPOSITIONS = frozenset({"during"})
_DURING_REACH = 6
_CUE_FIELDS = frozenset({"window", "cross_comma", "cues", "after", "after_window", "final"})

Phrases = tuple[tuple[str, ...], ...]
# Cue phrases by their last word, so a word is looked up once instead of compared with every phrase.
ByLastWord = Mapping[str, Phrases]


@dataclass(frozen=True)
class CueSet:
    """The cues of one modality. `cues` stand up to `window` words before the trigger, in its clause
    (past a comma only with `cross_comma`); `after` cues up to `after_window` words after it; `final`
    cues after it in the sentence's last clause ("..., a charge Kigali denies")."""

    modality: str
    cues: ByLastWord
    window: int
    cross_comma: bool
    after: ByLastWord
    after_window: int
    final: ByLastWord


@dataclass(frozen=True)
class ModalityRules:
    """The cue sets; `cue_words` holds the last word of every cue, so that other words are passed
    over at once, and `reach` the widest window before a trigger."""

    cue_sets: tuple[CueSet, ...]
    breaks: frozenset[str]
    exceptions: Phrases
    cue_words: frozenset[str] = frozenset()
    reach: int = 0


@dataclass(frozen=True)
class Cue:
    """A cue found for an event: its modality, phrase and the index of its last word in the sentence."""

    modality: str
    phrase: str
    word: int


def _phrases(source: Source, data: dict[str, Node], key: str) -> Phrases:
    return tuple(tuple(normalise_phrase(text).split()) for text, _ in source.texts(data, key))


def _by_last_word(phrases: Phrases) -> ByLastWord:
    grouped: dict[str, Phrases] = {}
    for phrase in phrases:
        grouped[phrase[-1]] = (*grouped.get(phrase[-1], ()), phrase)
    return grouped


def _read_cue_set(source: Source, modality: str, node: Node) -> CueSet | None:
    section = source.mapping(node, modality, _CUE_FIELDS)
    if section is None:
        return None
    cross = section.get("cross_comma")
    if cross is not None and not isinstance(cross.value, bool):
        source.problem(cross.line, "'cross_comma' must be true or false")
    return CueSet(
        modality,
        _by_last_word(_phrases(source, section, "cues")),
        int(source.number(section, "window", 6)),
        bool(cross is not None and cross.value is True),
        _by_last_word(_phrases(source, section, "after")),
        int(source.number(section, "after_window", 0)),
        _by_last_word(_phrases(source, section, "final")),
    )


def read_modality(source: Source, node: Node) -> ModalityRules | None:
    """Read the `modality:` section of a modality file."""
    data = source.mapping(node, "modality", _SECTION_FIELDS)
    if data is None:
        return None
    cue_sets: list[CueSet] = []
    for kind in (*PRECEDENCE, *_OPTIONAL_KINDS):
        if kind not in data:
            if kind in PRECEDENCE:
                source.problem(node.line, f"missing required field '{kind}' in modality")
        elif cue_set := _read_cue_set(source, kind, data[kind]):
            cue_sets.append(cue_set)
    breaks = frozenset(word for phrase in _phrases(source, data, "breaks") for word in phrase)
    cue_words = frozenset(
        word for s in cue_sets for phrases in (s.cues, s.after, s.final) for word in phrases
    )
    reach = max((s.window for s in cue_sets), default=0)
    return ModalityRules(
        tuple(cue_sets), breaks, _phrases(source, data, "except"), cue_words, reach
    )


def _excepted(words: Sequence[str], end: int, length: int, rules: ModalityRules) -> bool:
    for phrase in rules.exceptions:
        for start in range(max(0, end - len(phrase) + 1), end - length + 2):
            if tuple(words[start : start + len(phrase)]) == phrase:
                return True
    return False


def _cues_at(
    words: Sequence[str], end: int, phrases: ByLastWord, rules: ModalityRules
) -> list[str]:
    """The phrases that end at word `end` (and are not part of an exception such as "not only")."""
    return [
        " ".join(phrase)
        for phrase in phrases.get(words[end], ())
        if end - len(phrase) + 1 >= 0
        and tuple(words[end - len(phrase) + 1 : end + 1]) == phrase
        and not _excepted(words, end, len(phrase), rules)
    ]


def _before(
    words: Sequence[str], punctuation: Sequence[str], first: int, last: int, rules: ModalityRules
) -> list[Cue]:
    found: list[Cue] = []
    comma_seen = False
    for index in range(last, max(-1, first - rules.reach - 1), -1):
        if index < first and (words[index] in rules.breaks or punctuation[index + 1] == ";"):
            break
        # ", planning to send": a participle after the comma goes on with the same clause.
        comma_seen = comma_seen or (
            index < first and punctuation[index + 1] == "," and not words[index + 1].endswith("ing")
        )
        if words[index] not in rules.cue_words:
            continue
        for cue_set in rules.cue_sets:
            if first - index <= cue_set.window and (cue_set.cross_comma or not comma_seen):
                found += [
                    Cue(cue_set.modality, p, index)
                    for p in _cues_at(words, index, cue_set.cues, rules)
                ]
    return found


def _opens_verb(words: Sequence[str], before: int) -> bool:
    """ "provided jets and is expected to deliver ...": a cue right after "and" belongs to a second
    verb, not to the trigger."""
    return before >= 0 and words[before] in _COORDINATING


def _after(
    words: Sequence[str], punctuation: Sequence[str], last: int, rules: ModalityRules
) -> list[Cue]:
    found: list[Cue] = []
    # The last clause, not counting a closing participle ("..., a transfer Tehran denied making,
    # calling the reports propaganda").
    final_clause = max(
        (k for k in range(last + 1, len(words)) if punctuation[k] and not words[k].endswith("ing")),
        default=last + 1,
    )
    clause_ended = False
    for index in range(last + 1, len(words)):
        if punctuation[index] == ";":
            break
        clause_ended = clause_ended or punctuation[index] == "," or words[index] in rules.breaks
        if words[index] not in rules.cue_words:
            continue
        for cue_set in rules.cue_sets:
            for phrases, applies in (
                (cue_set.after, index - last <= cue_set.after_window and not clause_ended),
                (cue_set.final, index >= final_clause),
            ):
                if applies:
                    found += [
                        Cue(cue_set.modality, p, index)
                        for p in _cues_at(words, index, phrases, rules)
                        if not _opens_verb(words, index - p.count(" ") - 1)
                    ]
    return found


def _noun_head(words: Sequence[str], punctuation: Sequence[str], first: int) -> int:
    """Where a cue window starts: at "during" for a trigger in a "during ..." phrase, which takes the
    modality of the verb it hangs on ("will sign a deal during Modi's visit")."""
    for index in range(first - 1, max(-1, first - 1 - _DURING_REACH), -1):
        if punctuation[index + 1]:
            break
        if words[index] in _TIME_PREPOSITIONS:
            return index
    return first


def find_cues(
    words: Sequence[str], punctuation: Sequence[str], first: int, last: int, rules: ModalityRules
) -> list[Cue]:
    """Cues that govern a trigger spanning words first..last. `punctuation[i]` is what stands before
    word i (',' or ';' or ''). Scanning back stops at a clause break (a word in `breaks` or ';')."""
    before = _before(words, punctuation, _noun_head(words, punctuation, first), last, rules)
    if first > 0 and words[first - 1] == "and" and words[first].endswith("ed"):
        # "has not recognised the junta and suspended Niger": past the first verb and its object, a
        # negation stays with that verb (a hedge or a plan still spreads: "will visit X and sign").
        reach = first - 1 - _NEGATION_REACH
        before = [c for c in before if c.modality != "negated" or c.word >= reach]
    return before + _after(words, punctuation, last, rules)


def modality_of(cues: Sequence[Cue]) -> str:
    """The modality the cues give (background and request cues give none)."""
    kinds = {cue.modality for cue in cues}
    return next((modality for modality in PRECEDENCE if modality in kinds), "asserted")
