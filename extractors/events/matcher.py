"""The matcher: one automaton pass over the text, then, only in sentences holding both a trigger and
an actor, trigger sequences, role assignment, modality and a confidence score."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TypeVar

from extractors.events.candidates import Candidate, sentence_candidates
from extractors.events.furniture import core_span
from extractors.events.mentions import Sentence, add_mentions, sentence_frame
from extractors.events.model import EVENT_ROLES, Event, EventActor
from extractors.events.patterns import Pattern
from extractors.events.scan import ActorHit, Scan, StepHit, scan
from extractors.events.sentences import SentenceFinder, split_sentences
from extractors.events.triggers import TriggerMatch, find_triggers
from extractors.events.watchlist import Watchlist

Hit = TypeVar("Hit", ActorHit, StepHit)
# Farther apart than this (in characters), an actor cannot fill a role of a trigger: role windows
# reach at most about 25 words from the trigger's ends.
_ACTOR_REACH = 400
# A generous bound on a word's length with the space after it, to turn word gaps into characters.
_WORD_CHARS = 30


def _to_event(candidate: Candidate, text: str, sentence: Sentence, on: dt.date) -> Event:
    order = EVENT_ROLES[candidate.pattern.type]
    actors = tuple(
        EventActor(m.actor.id, m.actor.name, role, m.actor.acts_for(on))
        for role, mentions in sorted(candidate.roles, key=lambda r: order.index(r[0]))
        for m in mentions
    )
    evidence = text[sentence.start : sentence.end]
    span = (sentence.start, sentence.end)
    return Event(
        candidate.pattern.type, candidate.modality, candidate.confidence, actors, evidence, span
    )


def _keep_distinct(events: list[Event]) -> list[Event]:
    """One event per type and actors: of duplicates the surer stays, and an event whose actors are a
    strict subset of another's of the same type goes."""

    def roles(event: Event) -> frozenset[tuple[str, str]]:
        return frozenset((a.role, a.country or a.id) for a in event.actors)

    def ids(event: Event) -> frozenset[str]:
        return frozenset(a.country or a.id for a in event.actors)

    ranked = sorted(events, key=lambda e: (-len(ids(e)), -e.confidence))
    kept: list[Event] = []
    for event in ranked:
        same = [k for k in kept if k.type == event.type]
        if not any(roles(k) == roles(event) or ids(event) < ids(k) for k in same):
            kept.append(event)
    return sorted(kept, key=events.index)


def _within(hits: Sequence[Hit], starts: Sequence[int], span: tuple[int, int]) -> list[Hit]:
    low, high = bisect.bisect_left(starts, span[0]), bisect.bisect_left(starts, span[1])
    return [hit for hit in hits[low:high] if hit.end <= span[1]]


def _could_complete(hits: Sequence[StepHit], patterns: Sequence[Pattern]) -> bool:
    """Some trigger has all the words the automaton looks for in this sentence."""
    refs = {(ref.pattern, ref.trigger, ref.step) for hit in hits for ref in hit.entry.steps}
    for p, t, s in refs:
        steps = patterns[p].triggers[t].steps
        if s == 0 and all(step.common or (p, t, n) in refs for n, step in enumerate(steps)):
            return True
    return False


def _viable_starts(found: Scan) -> Iterator[StepHit]:
    """First words of triggers whose other words all follow close enough, with an actor close enough
    to share a sentence: only their sentences are worth finding."""
    actors = [hit.start for hit in found.actors]
    steps = found.steps
    for index, hit in enumerate(steps):
        if not hit.entry.starts:
            continue
        near = bisect.bisect_left(actors, hit.start - _ACTOR_REACH)
        if near == len(actors) or actors[near] > hit.start + _ACTOR_REACH:
            continue
        # The words after the hit, grown once as far as each trigger reaches (starts are sorted by
        # reach), so a word that starts many triggers does not gather them again for each one.
        following: set[str] = set()
        after = index + 1
        for start in hit.entry.starts:
            reach = hit.start + _WORD_CHARS * start.words
            while after < len(steps) and steps[after].start <= reach:
                following.add(steps[after].entry.key)
                after += 1
            if all(keys is None or not keys.isdisjoint(following) for keys in start.later):
                yield hit
                break


def prepared_sentences(
    text: str, watchlist: Watchlist, on: dt.date, *, every: bool = False
) -> list[tuple[Sentence, list[TriggerMatch]]]:
    """The sentences of `text` where a trigger is complete and an actor is named (with `every`:
    all sentences), each with its triggers. Other sentences are never split or built."""
    found = scan(text, watchlist.automaton)
    if every:
        spans = split_sentences(text)
    elif found.steps and found.actors:
        finder = SentenceFinder(text)
        found_spans: list[tuple[int, int]] = []
        for hit in _viable_starts(found):
            # Hits come in text order: one inside the last sentence found needs no search.
            if not found_spans or not found_spans[-1][0] <= hit.start < found_spans[-1][1]:
                found_spans.append(finder.span_at(hit.start))
        spans = sorted(set(found_spans))
    else:
        return []
    actor_starts, step_starts = [h.start for h in found.actors], [h.start for h in found.steps]
    prepared = []
    for whole in spans:
        span = core_span(text, whole)
        steps, actors = (
            _within(found.steps, step_starts, span),
            _within(found.actors, actor_starts, span),
        )
        if not every and not (actors and _could_complete(steps, watchlist.patterns)):
            continue
        frame = sentence_frame(text, found.normalised, span)
        matches = find_triggers(frame, steps, watchlist.patterns)
        if every or any(match.complete for match in matches):
            sentence = add_mentions(frame, text, actors, watchlist.actors, watchlist.markers, on)
            prepared.append((sentence, matches))
    return prepared


def detect_events(text: str, watchlist: Watchlist, *, on: dt.date | None = None) -> list[Event]:
    """Every event in `text`, in text order; `on` (default today) picks people's offices."""
    day = on or dt.date.today()
    events: list[Event] = []
    for sentence, matches in prepared_sentences(text, watchlist, day):
        found = sentence_candidates(sentence, matches, watchlist)
        fired = [c for _, c in found if c and not c.reason]
        events += _keep_distinct([_to_event(c, text, sentence, day) for c in fired])
    return events
