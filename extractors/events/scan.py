"""One pass over a whole text: an Aho-Corasick automaton over the normalised text finds every actor
alias and trigger word at once, whole words only (keys are padded with spaces)."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

from extractors.events.gazetteer import Alias
from extractors.events.normalize import normalise
from extractors.events.patterns import Pattern


@dataclass(frozen=True)
class StepRef:
    """Which step of which trigger of which pattern a word belongs to."""

    pattern: int
    trigger: int
    step: int


@dataclass(frozen=True)
class Start:
    """A trigger that a word starts: the keys any of which each later step needs (None for a step of
    everyday words, checked in the sentence) and how many words the trigger may span."""

    ref: StepRef
    later: tuple[frozenset[str] | None, ...]
    words: int


@dataclass(frozen=True)
class Entry:
    """What one automaton key stands for: actor aliases and/or trigger steps, and the triggers it
    starts."""

    key: str
    aliases: tuple[Alias, ...]
    steps: tuple[StepRef, ...]
    starts: tuple[Start, ...]
    length: int
    stem: bool


# Hits are tuples: a text yields thousands and a frozen dataclass is several times slower to build.
class ActorHit(NamedTuple):
    start: int
    end: int
    alias: Alias


class StepHit(NamedTuple):
    start: int
    end: int
    entry: Entry


@dataclass(frozen=True)
class Scan:
    """The normalised text and every whole-word hit in it (actor hits: longest match wins, and
    not-actor phrases are gone), in order."""

    normalised: str
    actors: list[ActorHit]
    steps: list[StepHit]


_WORDS = operator.attrgetter("words")


def automaton_key(word: str) -> str:
    """The key of a trigger word: padded with spaces on both sides, a stem (`deploy*`) only before."""
    return f" {word[:-1]}" if word.endswith("*") else f" {word} "


def _start(ref: StepRef, patterns: Sequence[Pattern]) -> Start:
    trigger = patterns[ref.pattern].triggers[ref.trigger]
    later = tuple(
        None if step.common else frozenset(automaton_key(word) for word in step.alternatives)
        for step in trigger.steps[1:]
    )
    return Start(ref, later, len(trigger.steps) + sum(trigger.gaps))


def build_automaton(
    aliases: Sequence[Alias], patterns: Sequence[Pattern], not_actors: Sequence[Alias] = ()
) -> ahocorasick.Automaton:
    """Every alias, not-actor phrase and trigger word that is not an everyday word, in one
    automaton."""
    by_alias: dict[str, list[Alias]] = defaultdict(list)
    by_step: dict[str, list[StepRef]] = defaultdict(list)
    for alias in (*aliases, *not_actors):
        by_alias[f" {alias.key} "].append(alias)
    for p, pattern in enumerate(patterns):
        for t, trigger in enumerate(pattern.triggers):
            for s, step in enumerate(trigger.steps):
                for word in () if step.common else step.alternatives:
                    by_step[automaton_key(word)].append(StepRef(p, t, s))
    automaton = ahocorasick.Automaton()
    for key in by_alias.keys() | by_step.keys():
        steps = tuple(by_step[key])
        starts = tuple(
            sorted((_start(ref, patterns) for ref in steps if ref.step == 0), key=_WORDS)
        )
        entry = Entry(key, tuple(by_alias[key]), steps, starts, len(key), not key.endswith(" "))
        automaton.add_word(key, entry)
    automaton.make_automaton()
    return automaton


_START = operator.attrgetter("start")
_new_hit = tuple.__new__


def _longest_first(hits: list[ActorHit]) -> list[ActorHit]:
    hits.sort(key=lambda hit: (hit.start, hit.start - hit.end))
    kept: list[ActorHit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def scan(text: str, automaton: ahocorasick.Automaton) -> Scan:
    normalised = normalise(text)
    padded = f" {normalised} "
    actors: list[ActorHit] = []
    steps: list[StepHit] = []
    add_actor, add_step, find = actors.append, steps.append, padded.find
    for last, entry in automaton.iter(padded):
        # Padded index i is text index i - 1; the key's leading space sits just before the word.
        start = last - entry.length + 1
        end = find(" ", last + 1) - 1 if entry.stem else last - 1
        if entry.steps:
            # tuple.__new__ skips the named tuple's Python-level __new__: thousands of hits a text.
            add_step(_new_hit(StepHit, (start, end, entry)))
        if entry.aliases:
            for alias in entry.aliases:
                if not alias.exact or text[start:end] == alias.text:
                    add_actor(_new_hit(ActorHit, (start, end, alias)))
                    break
    steps.sort(key=_START)
    # A not-actor phrase ("USA Today") takes its words from a shorter alias, then goes itself.
    return Scan(normalised, [h for h in _longest_first(actors) if h.alias.actor_id], steps)
