"""The matcher: one automaton pass over the text, then, only in sentences holding both a trigger and
an actor, trigger sequences, role assignment, modality and a confidence score."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence

from extractors.events.candidates import Candidate, sentence_candidates
from extractors.events.furniture import core_span
from extractors.events.lead import prefer_lead
from extractors.events.mentions import Sentence, add_mentions, sentence_frame
from extractors.events.model import EVENT_ROLES, Event, EventActor
from extractors.events.patterns import Pattern
from extractors.events.scan import ActorHit, Entry, Scan, StepHit, StepMatch, scan
from extractors.events.sentences import SentenceFinder, split_sentences
from extractors.events.triggers import TriggerMatch, find_triggers
from extractors.events.watchlist import Watchlist

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
        candidate.pattern.type,
        candidate.modality,
        candidate.confidence,
        actors,
        evidence,
        span,
        background=candidate.background,
        mark=candidate.pattern.mark,
    )


def _keep_distinct(events: list[Event]) -> list[Event]:
    """One event per type and actors: of duplicates the surer stays, and an event that fills fewer
    roles with a strict subset of another's actors of the same type goes (a second trigger over the
    same act). "X, Y and Z summoned Iran's envoys, after X expelled Iranian diplomats" keeps both."""

    def roles(event: Event) -> tuple[str, str | None, frozenset[tuple[str, str]]]:
        # "delivered ... and will send ...": the same actors in another modality are another event,
        # and so is a withdrawal of the troops a deployment sent
        actors = frozenset((a.role, a.country or a.id) for a in event.actors)
        return event.modality, event.mark, actors

    def ids(event: Event) -> frozenset[str]:
        return frozenset(a.country or a.id for a in event.actors)

    def filled(event: Event) -> int:
        return len({a.role for a in event.actors})

    def part_of(event: Event, other: Event) -> bool:
        return ids(event) < ids(other) and filled(event) < filled(other)

    ranked = sorted(events, key=lambda e: (-len(ids(e)), e.background, -e.confidence))
    kept: list[Event] = []
    for event in ranked:
        same = [k for k in kept if k.type == event.type and k.mark == event.mark]
        if not any(roles(k) == roles(event) or part_of(event, k) for k in same):
            kept.append(event)
    return sorted(kept, key=events.index)


def _sentence_hits(
    found: Scan,
    step_starts: Sequence[int],
    actor_starts: Sequence[int],
    span: tuple[int, int],
    every: bool,
) -> tuple[list[StepHit], list[ActorHit]] | None:
    """The trigger-word and actor hits inside `span`, or (unless `every`) None when no actor is
    named there or no trigger can be complete."""
    start, end = span
    low, high = bisect.bisect_left(actor_starts, start), bisect.bisect_left(actor_starts, end)
    actors = [hit for hit in found.actors[low:high] if hit.end <= end]
    if not (actors or every):  # looked at first: it spares making the step hits
        return None
    low, high = bisect.bisect_left(step_starts, start), bisect.bisect_left(step_starts, end)
    steps = [hit for hit in map(found.step_hit, found.steps[low:high]) if hit.end <= end]
    return (steps, actors) if every or _could_complete(steps, _named(actors)) else None


def _named(actors: Sequence[ActorHit]) -> int:
    """How many different actors the hits name: each role of an event takes an actor of its own, so
    a trigger with more roles that must be filled cannot fire."""
    return len({hit.alias.actor_id for hit in actors})


def _can_fire(
    matches: Sequence[TriggerMatch], actors: Sequence[ActorHit], patterns: Sequence[Pattern]
) -> bool:
    """Some complete trigger has no more roles that must be filled than there are actors."""
    named = _named(actors)
    return any(match.complete and patterns[match.pattern].required <= named for match in matches)


def _could_complete(hits: Sequence[StepHit], named: int) -> bool:
    """Some trigger has all the words the automaton looks for in this sentence, and no more roles
    that must be filled than `named` actors."""
    refs = {ref for hit in hits for ref in hit.entry.steps}
    return any(
        start.required <= named and refs.issuperset(start.needs)
        for hit in hits
        for start in hit.entry.starts
    )


def _alone_in_paragraph(text: str, start: int, actor_starts: Sequence[int]) -> bool:
    """No actor shares the paragraph of the trigger word at `start`: a line break stands between it
    and the nearest actors on both sides, so its sentence names none."""
    after = bisect.bisect_left(actor_starts, start)
    return all(
        "\n" in text[min(actor, start) : max(actor, start)]
        for actor in actor_starts[max(0, after - 1) : after + 1]
    )


def _near_actors(actor_starts: Sequence[int], step_starts: Sequence[int]) -> list[range]:
    """The indexes of the step hits within reach of an actor hit, as ranges in text order: found by
    bisecting around each actor, so the many hits far from any actor are never looked at."""
    ranges: list[range] = []
    done = 0
    for actor in actor_starts:
        # Actors come in text order, so each range ends at or after the last one: an actor whose
        # reach ends before the next step hit not yet taken adds nothing and needs no bisecting.
        if done == len(step_starts):
            break
        if step_starts[done] > actor + _ACTOR_REACH:
            continue
        low = bisect.bisect_left(step_starts, actor - _ACTOR_REACH, done)
        high = bisect.bisect_right(step_starts, actor + _ACTOR_REACH, low)
        if low < high:
            ranges.append(range(low, high))
            done = high
    return ranges


def _words_follow(steps: Sequence[StepMatch], index: int, entry: Entry) -> bool:
    """Some trigger that `steps[index]` (of `entry`) starts has every other word it needs close
    enough after it."""
    # The words after the hit, grown once as far as each trigger reaches (starts are sorted by
    # reach), so a word that starts many triggers does not gather them again for each one.
    following: set[int] = set()
    origin, after = steps[index][1], index + 1
    for start in entry.starts:
        reach = origin + _WORD_CHARS * start.words
        while after < len(steps) and steps[after][1] <= reach:
            following.add(steps[after][0])
            after += 1
        if all(not keys.isdisjoint(following) for keys in start.later):
            return True
    return False


def _viable_starts(
    found: Scan, actor_starts: Sequence[int], step_starts: Sequence[int]
) -> list[int]:
    """Where the first words of triggers stand whose other words all follow close enough, with an
    actor close enough to share a sentence, in text order: only their sentences are worth finding."""
    steps, entries = found.steps, found.entries
    present = {key for key, _, _ in steps}
    viable: list[int] = []
    for indexes in _near_actors(actor_starts, step_starts):
        for index in indexes:
            entry = entries[steps[index][0]]
            if entry.alone or (
                not entry.needs.isdisjoint(present) and _words_follow(steps, index, entry)
            ):
                viable.append(step_starts[index])
    return viable


def prepared_sentences(
    text: str, watchlist: Watchlist, on: dt.date, *, every: bool = False
) -> list[tuple[Sentence, list[TriggerMatch]]]:
    """The sentences of `text` where a trigger is complete and an actor is named (with `every`:
    all sentences), each with its triggers. Other sentences are never split or built."""
    found = scan(text, watchlist.automaton)
    if not every and not (found.steps and found.actors):
        return []
    actor_starts, step_starts = [h.start for h in found.actors], [m[1] for m in found.steps]
    if every:
        spans = split_sentences(text)
    else:
        finder = SentenceFinder(text)
        found_spans: list[tuple[int, int]] = []
        for start in _viable_starts(found, actor_starts, step_starts):
            # Hits come in text order: one inside the last sentence found needs no search.
            if found_spans and found_spans[-1][0] <= start < found_spans[-1][1]:
                continue
            if not _alone_in_paragraph(text, start, actor_starts):
                found_spans.append(finder.span_at(start))
        spans = sorted(set(found_spans))
    prepared = []
    for whole in spans:
        # Furniture only narrows a sentence: one that fails on its whole span is not worth cutting.
        hits = _sentence_hits(found, step_starts, actor_starts, whole, every)
        if hits is None:
            continue
        span = core_span(text, whole)
        if span != whole:
            hits = _sentence_hits(found, step_starts, actor_starts, span, every)
            if hits is None:
                continue
        steps, actors = hits
        frame = sentence_frame(text, found.normalised, span)
        matches = find_triggers(frame, steps, watchlist.patterns)
        if every or _can_fire(matches, actors, watchlist.patterns):
            sentence = add_mentions(frame, text, actors, watchlist.actors, watchlist.markers, on)
            prepared.append((sentence, matches))
    return prepared


def detect_events(text: str, watchlist: Watchlist, *, on: dt.date | None = None) -> list[Event]:
    """Every event in `text`, in text order; `on` (default today) picks people's offices and
    tells earlier years (background) apart. Events after the lead that it tells otherwise are
    background (lead.py)."""
    day = on or dt.date.today()
    events: list[Event] = []
    for sentence, matches in prepared_sentences(text, watchlist, day):
        found = sentence_candidates(sentence, matches, watchlist, day)
        fired = [c for _, c in found if c and not c.reason]
        if fired:
            events += _keep_distinct([_to_event(c, text, sentence, day) for c in fired])
    return prefer_lead(events, text)
