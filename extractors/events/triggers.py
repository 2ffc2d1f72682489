"""Trigger sequences inside one sentence: the automaton's trigger-word hits put together into the
steps and gaps of each pattern's triggers."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from extractors.events.mentions import Sentence
from extractors.events.patterns import Pattern, Step, Trigger, step_matches
from extractors.events.scan import StepHit

StepWords = dict[tuple[int, int, int], list[tuple[int, int]]]


# A named tuple, not a frozen dataclass: every trigger start in every sentence looked at makes one.
class TriggerMatch(NamedTuple):
    """A trigger of pattern number `pattern` starting at word `first`: complete when every step was
    found (it then ends at `last`), else `steps_found` tells how far it got."""

    pattern: int
    trigger: int
    first: int
    last: int
    steps_found: int
    complete: bool

    def within(self, other: TriggerMatch) -> bool:
        """Inside a longer match ("visits" in "cancelled ... visits"), or starting on its later words
        ("arrived in" after "soldiers arrived": a deployment, not a visit)."""
        longer = other.last - other.first > self.last - self.first
        inside = other.first <= self.first and self.last <= other.last
        return (longer and inside) or other.first < self.first <= other.last


# tuple.__new__ skips the named tuple's Python-level __new__: most sentences looked at hold several
# trigger starts, each walked into a match.
_new_match = tuple.__new__


def _step_words(sentence: Sentence, hits: Sequence[StepHit]) -> StepWords:
    steps: StepWords = defaultdict(list)
    starts = sentence.starts
    for hit in hits:
        # The words holding the hit's first and last characters (Sentence.word_at, inlined).
        words = (
            bisect.bisect_right(starts, hit.start) - 1,
            bisect.bisect_right(starts, hit.end - 1) - 1,
        )
        for ref in hit.entry.steps:
            steps[ref].append(words)
    return steps


def _next_words(
    sentence: Sentence, steps: StepWords, key: tuple[int, int, int], step: Step, last: int, gap: int
) -> list[tuple[int, int]]:
    """Where the step after word `last` may stand: within its gap and not past punctuation."""
    low, high = last + 1, min(len(sentence.words), last + 2 + gap)
    if step.common:
        found = [(k, k) for k in range(low, high) if step_matches(step, sentence.words[k])]
    else:
        found = [words for words in steps.get(key, ()) if low <= words[0] < high]
    punctuation = sentence.punctuation
    return [w for w in found if not any(punctuation[low : w[0] + 1])]


def _follow(
    sentence: Sentence,
    steps: StepWords,
    key: tuple[int, int],
    trigger: Trigger,
    start: tuple[int, int],
) -> TriggerMatch:
    """Walk a trigger's steps from a hit of its first step."""
    pattern, index = key
    last = start[1]
    for number in range(1, len(trigger.steps)):
        # A later step the automaton looks for but did not find in the sentence ends the walk at
        # once: the common case, settled without building the candidate list.
        step = trigger.steps[number]
        if not step.common and (pattern, index, number) not in steps:
            return _new_match(TriggerMatch, (pattern, index, start[0], last, number, False))
        nexts = _next_words(
            sentence, steps, (pattern, index, number), step, last, trigger.gaps[number - 1]
        )
        if not nexts:
            return _new_match(TriggerMatch, (pattern, index, start[0], last, number, False))
        last = min(nexts)[1]
    return _new_match(TriggerMatch, (pattern, index, start[0], last, len(trigger.steps), True))


def find_triggers(
    sentence: Sentence, hits: Sequence[StepHit], patterns: Sequence[Pattern]
) -> list[TriggerMatch]:
    """Every trigger start in the sentence, complete or not, in text order; matches of one pattern
    over the same words are reported once (the one that got furthest)."""
    steps = _step_words(sentence, hits)
    found: dict[tuple[int, int, int], TriggerMatch] = {}
    for (p, t, s), starts in steps.items():
        if s == 0:
            for start in starts:
                match = _follow(sentence, steps, (p, t), patterns[p].triggers[t], start)
                current = found.get((p, match.first, match.last))
                if current is None or (match.complete, match.steps_found) > (
                    current.complete,
                    current.steps_found,
                ):
                    found[(p, match.first, match.last)] = match
    return sorted(found.values(), key=lambda m: (m.first, m.pattern))
