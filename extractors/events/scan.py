"""One pass over a whole text: an Aho-Corasick automaton over the normalised text finds every actor
alias and trigger word at once, whole words only (keys are padded with spaces).

The automaton is ahocorasick_rs's DFA: it returns all overlapping hits of a text as one list, about
twice as fast as pyahocorasick's per-hit iterator, so the Python loop over hits is the scan's main
cost and is kept short."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick_rs

from extractors.events.gazetteer import Alias
from extractors.events.normalize import normalise
from extractors.events.patterns import Pattern


class StepRef(NamedTuple):
    """Which step of which trigger of which pattern a word belongs to (a tuple: it is the key the
    sentence's trigger search files the word's positions under)."""

    pattern: int
    trigger: int
    step: int


@dataclass(frozen=True)
class Start:
    """A trigger that a word starts: the keys any of which each later step needs (steps of everyday
    words are left out: they are checked in the sentence), those steps themselves (`needs`) and how
    many words the trigger may span."""

    ref: StepRef
    later: tuple[frozenset[str], ...]
    needs: frozenset[StepRef]
    words: int


@dataclass(frozen=True)
class Entry:
    """What one automaton key stands for: actor aliases and/or trigger steps, and the triggers it
    starts; `alone` when one of those needs no other key, so the word alone may complete it, and
    `needs` the keys any of the others needs later (none in a text: none of them can complete)."""

    key: str
    aliases: tuple[Alias, ...]
    steps: tuple[StepRef, ...]
    starts: tuple[Start, ...]
    stem: bool
    alone: bool
    needs: frozenset[str]


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
    found = [(n, step) for n, step in enumerate(trigger.steps) if n and not step.common]
    later = tuple(frozenset(automaton_key(word) for word in step.alternatives) for _, step in found)
    needs = frozenset(StepRef(ref.pattern, ref.trigger, n) for n, _ in found)
    return Start(ref, later, needs, len(trigger.steps) + sum(trigger.gaps))


@dataclass(frozen=True)
class Automaton:
    """The compiled keys and, at each key's index, the entry it stands for."""

    search: ahocorasick_rs.AhoCorasick
    entries: tuple[Entry, ...]


def build_automaton(
    aliases: Sequence[Alias], patterns: Sequence[Pattern], not_actors: Sequence[Alias] = ()
) -> Automaton:
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
    entries = []
    for key in sorted(by_alias.keys() | by_step.keys()):
        steps = tuple(by_step[key])
        starts = tuple(
            sorted((_start(ref, patterns) for ref in steps if ref.step == 0), key=_WORDS)
        )
        alone = any(not start.later for start in starts)
        needs = frozenset(key for start in starts for keys in start.later for key in keys)
        entries.append(
            Entry(key, tuple(by_alias[key]), steps, starts, not key.endswith(" "), alone, needs)
        )
    # Overlapping search needs the standard match kind; the DFA is the fastest to run.
    search = ahocorasick_rs.AhoCorasick(
        [entry.key for entry in entries], implementation=ahocorasick_rs.Implementation.ContiguousNFA
    )
    return Automaton(search, tuple(entries))


_START = operator.attrgetter("start")
_new_hit = tuple.__new__


def _longest_first(hits: list[ActorHit]) -> list[ActorHit]:
    hits.sort(key=lambda hit: (hit.start, hit.start - hit.end))
    kept: list[ActorHit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def scan(text: str, automaton: Automaton) -> Scan:
    normalised = normalise(text)
    padded = f" {normalised} "
    actors: list[ActorHit] = []
    steps: list[StepHit] = []
    add_actor, add_step, find, entries = actors.append, steps.append, padded.find, automaton.entries
    for index, start, stop in automaton.search.find_matches_as_indexes(padded, overlapping=True):
        entry = entries[index]
        # Padded index i is text index i - 1: the key's leading space sits at the word's text
        # start, and a whole word's trailing space at its text end + 1.
        end = find(" ", stop) - 1 if entry.stem else stop - 2
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
