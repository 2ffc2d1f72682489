"""One pass over a whole text: an Aho-Corasick automaton over the normalised text finds every actor
alias and trigger word at once, whole words only (keys are padded with spaces).

The automaton is ahocorasick_rs's contiguous NFA: it returns all overlapping hits of a text as one
list, about twice as fast as pyahocorasick's per-hit iterator. Text that is ASCII once normalised
(nearly all of it) is searched as bytes, where offsets are character offsets too: that skips the
str search's conversion of byte offsets and is about 15% faster.

The Python work per hit is what remains to keep small: trigger-word hits, the most numerous, are
kept as the automaton reports them, and only those in sentences looked at become StepHits."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

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
    """A trigger that a word starts: the keys (by index) any of which each later step needs (steps
    of everyday words are left out: they are checked in the sentence), those steps themselves
    (`needs`), how many words the trigger may span and how many roles its pattern must fill."""

    ref: StepRef
    later: tuple[frozenset[int], ...]
    needs: frozenset[StepRef]
    words: int
    required: int


@dataclass(frozen=True)
class Entry:
    """What one automaton key stands for: actor aliases and/or trigger steps, and the triggers it
    starts; `alone` when one of those needs no other key, so the word alone may complete it, and
    `needs` the keys (by index) any of the others needs later (none in a text: none of them can
    complete)."""

    key: str
    aliases: tuple[Alias, ...]
    steps: tuple[StepRef, ...]
    starts: tuple[Start, ...]
    stem: bool
    alone: bool
    needs: frozenset[int]


# Hits are tuples: a text yields thousands and a frozen dataclass is several times slower to build.
class ActorHit(NamedTuple):
    start: int
    end: int
    alias: Alias


class StepHit(NamedTuple):
    start: int
    end: int
    entry: Entry


# A trigger-word hit as the automaton reports it: key index, start and end in the padded text.
StepMatch = tuple[int, int, int]


@dataclass(frozen=True)
class Scan:
    """The normalised text and every whole-word hit in it, in order: actor hits (longest match wins,
    and not-actor phrases are gone) and trigger-word hits, which `step_hit` turns into StepHits."""

    normalised: str
    actors: list[ActorHit]
    steps: list[StepMatch]
    entries: tuple[Entry, ...]

    def step_hit(self, match: StepMatch) -> StepHit:
        index, start, stop = match
        entry = self.entries[index]
        # Padded index i is text index i - 1: the key's leading space sits at the word's text
        # start, and a whole word's trailing space at its text end + 1; a stem runs to the next
        # space or to the end of the text.
        end = stop - 2
        if entry.stem:
            space = self.normalised.find(" ", end + 1)
            end = space if space >= 0 else len(self.normalised)
        # tuple.__new__ skips the named tuple's Python-level __new__.
        return _new_hit(StepHit, (start, end, entry))


_WORDS = operator.attrgetter("words")
_START = operator.attrgetter("start")
_END = operator.attrgetter("end")
_MATCH_START = operator.itemgetter(1)
_new_hit = tuple.__new__


def automaton_key(word: str) -> str:
    """The key of a trigger word: padded with spaces on both sides, a stem (`deploy*`) only before."""
    return f" {word[:-1]}" if word.endswith("*") else f" {word} "


def _start(ref: StepRef, patterns: Sequence[Pattern], indexes: dict[str, int]) -> Start:
    trigger = patterns[ref.pattern].triggers[ref.trigger]
    found = [(n, step) for n, step in enumerate(trigger.steps) if n and not step.common]
    later = tuple(
        frozenset(indexes[automaton_key(word)] for word in step.alternatives) for _, step in found
    )
    needs = frozenset(StepRef(ref.pattern, ref.trigger, n) for n, _ in found)
    return Start(
        ref, later, needs, len(trigger.steps) + sum(trigger.gaps), patterns[ref.pattern].required
    )


@dataclass(frozen=True)
class Automaton:
    """The compiled keys (for str and for ASCII bytes) and, at each key's index, the entry it
    stands for."""

    search: ahocorasick_rs.AhoCorasick
    ascii_search: ahocorasick_rs.BytesAhoCorasick
    entries: tuple[Entry, ...]
    # Whether each key is a trigger word, an alias: the scan sorts hits out without the entries.
    is_step: tuple[bool, ...]
    is_actor: tuple[bool, ...]

    def __reduce__(self) -> tuple[Callable[[tuple[Entry, ...]], Automaton], tuple[Any, ...]]:
        return compile_automaton, (self.entries,)


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
    indexes = {key: index for index, key in enumerate(sorted(by_alias.keys() | by_step.keys()))}
    for key in indexes:
        steps = tuple(by_step[key])
        starts = tuple(
            sorted((_start(ref, patterns, indexes) for ref in steps if ref.step == 0), key=_WORDS)
        )
        alone = any(not start.later for start in starts)
        needs = frozenset(index for start in starts for keys in start.later for index in keys)
        entries.append(
            Entry(key, tuple(by_alias[key]), steps, starts, not key.endswith(" "), alone, needs)
        )
    return compile_automaton(tuple(entries))


def compile_automaton(entries: tuple[Entry, ...]) -> Automaton:
    """The searchers over the entries' keys. Pickling an `Automaton` sends only its entries (the
    compiled searchers cannot be pickled), and this builds them again on the other side."""
    # Overlapping search needs the standard match kind. The DFA runs little faster than the
    # contiguous NFA but takes some 100 MB and ten times as long to build for 10,000 aliases.
    keys, nfa = [entry.key for entry in entries], ahocorasick_rs.Implementation.ContiguousNFA
    return Automaton(
        ahocorasick_rs.AhoCorasick(keys, implementation=nfa),
        ahocorasick_rs.BytesAhoCorasick([key.encode() for key in keys], implementation=nfa),
        entries,
        tuple(bool(entry.steps) for entry in entries),
        tuple(bool(entry.aliases) for entry in entries),
    )


def _longest_first(hits: list[ActorHit]) -> list[ActorHit]:
    # By start, the longest first: two sorts by a C key function beat one by a Python tuple key.
    hits.sort(key=_END, reverse=True)
    hits.sort(key=_START)
    kept: list[ActorHit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def scan(text: str, automaton: Automaton) -> Scan:
    normalised = normalise(text)
    padded = f" {normalised} "
    if padded.isascii():
        found = automaton.ascii_search.find_matches_as_indexes(padded.encode(), overlapping=True)
    else:
        found = automaton.search.find_matches_as_indexes(padded, overlapping=True)
    is_step, is_actor, entries = automaton.is_step, automaton.is_actor, automaton.entries
    steps = [match for match in found if is_step[match[0]]]
    steps.sort(key=_MATCH_START)
    actors: list[ActorHit] = []
    add_actor = actors.append
    for index, start, stop in found:
        # Aliases (and not-actor phrases) are whole words: the text end is the padded end - 2.
        if is_actor[index]:
            for alias in entries[index].aliases:
                if not alias.exact or text[start : stop - 2] == alias.text:
                    add_actor(_new_hit(ActorHit, (start, stop - 2, alias)))
                    break
    # A not-actor phrase ("USA Today") takes its words from a shorter alias, then goes itself.
    actors = [h for h in _longest_first(actors) if h.alias.actor_id]
    return Scan(normalised, actors, steps, entries)
