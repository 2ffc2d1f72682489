"""Why an event did or did not fire: every actor hit, trigger word, trigger and modality cue of a
sentence, and for each pattern it touched, the outcome. The tool for debugging a missed alert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from extractors.events.candidates import Candidate, sentence_candidates
from extractors.events.matcher import prepared_sentences
from extractors.events.mentions import Sentence
from extractors.events.scan import StepHit
from extractors.events.triggers import TriggerMatch
from extractors.events.watchlist import Watchlist


@dataclass(frozen=True)
class ActorView:
    text: str
    actor_id: str
    acts_as: str
    span: tuple[int, int]
    governor: str | None


@dataclass(frozen=True)
class TriggerView:
    """A trigger of a pattern found in the sentence, with the candidate it produced if complete."""

    pattern_id: str
    event_type: str
    words: str
    outcome: str
    candidate: Candidate | None


@dataclass(frozen=True)
class SentenceExplanation:
    text: str
    normalised: str
    actors: tuple[ActorView, ...]
    triggers: tuple[TriggerView, ...]


def _outcome(match: TriggerMatch, candidate: Candidate | None, watchlist: Watchlist) -> str:
    if candidate is None:
        step = watchlist.patterns[match.pattern].triggers[match.trigger].steps[match.steps_found]
        wanted = "/".join(step.alternatives[:4]) + ("/..." if len(step.alternatives) > 4 else "")
        return f"incomplete trigger: no '{wanted}' within reach"
    return f"not fired: {candidate.reason}" if candidate.reason else f"fired ({candidate.modality})"


def _explain_sentence(
    sentence: Sentence, text: str, hits: Sequence[StepHit], watchlist: Watchlist
) -> SentenceExplanation:
    actors = tuple(
        ActorView(m.alias, m.actor.id, m.acts_as, (m.start, m.end), m.governor)
        for m in sentence.mentions
    )
    views: list[TriggerView] = []
    for match, candidate in sentence_candidates(sentence, hits, watchlist):
        pattern = watchlist.patterns[match.pattern]
        words = " ".join(sentence.words[match.first : match.last + 1])
        outcome = _outcome(match, candidate, watchlist)
        views.append(TriggerView(pattern.id, pattern.type, words, outcome, candidate))
    normalised = " ".join(sentence.words)
    return SentenceExplanation(
        text[sentence.start : sentence.end], normalised, actors, tuple(views)
    )


def explain(
    text: str, watchlist: Watchlist, *, on: dt.date | None = None
) -> list[SentenceExplanation]:
    """Explain every sentence of `text` (usually one)."""
    day = on or dt.date.today()
    return [
        _explain_sentence(sentence, text, hits, watchlist)
        for sentence, hits in prepared_sentences(text, watchlist, day, every=True)
    ]
