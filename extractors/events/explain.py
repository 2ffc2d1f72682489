"""Why an event did or did not fire: every actor hit, trigger word, trigger and modality cue of a
sentence, and for each pattern it touched, the outcome. The tool for debugging a missed alert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from extractors.events.candidates import Candidate, sentence_candidates
from extractors.events.matcher import prepared_sentences
from extractors.events.mentions import Sentence
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

    def to_json(self) -> dict[str, object]:
        candidate = self.candidate
        roles = {r: [m.acts_as for m in ms] for r, ms in candidate.roles} if candidate else {}
        cues = (
            [{"phrase": c.phrase, "modality": c.modality} for c in candidate.cues]
            if candidate
            else []
        )
        return {
            "pattern": self.pattern_id,
            "type": self.event_type,
            "words": self.words,
            "outcome": self.outcome,
            "fired": bool(candidate and not candidate.reason),
            "modality": candidate.modality if candidate and not candidate.reason else None,
            "background": bool(candidate and candidate.background),
            "roles": roles,
            "cues": cues,
        }


@dataclass(frozen=True)
class SentenceExplanation:
    text: str
    normalised: str
    actors: tuple[ActorView, ...]
    triggers: tuple[TriggerView, ...]

    def to_json(self) -> dict[str, object]:
        actors = [
            {"text": a.text, "id": a.actor_id, "acts_for": a.acts_as, "span": list(a.span)}
            | {"introduced_by": a.governor}
            for a in self.actors
        ]
        return {
            "sentence": self.text,
            "normalised": self.normalised,
            "actors": actors,
            "triggers": [view.to_json() for view in self.triggers],
        }


def _outcome(match: TriggerMatch, candidate: Candidate | None, watchlist: Watchlist) -> str:
    if candidate is None:
        step = watchlist.patterns[match.pattern].triggers[match.trigger].steps[match.steps_found]
        wanted = "/".join(step.alternatives[:4]) + ("/..." if len(step.alternatives) > 4 else "")
        return f"incomplete trigger: no '{wanted}' within reach"
    if candidate.reason:
        return f"not fired: {candidate.reason}"
    return f"fired ({candidate.modality}{', background' if candidate.background else ''})"


def _explain_sentence(
    sentence: Sentence,
    text: str,
    matches: Sequence[TriggerMatch],
    watchlist: Watchlist,
    on: dt.date,
    verbose: bool,
) -> SentenceExplanation:
    actors = tuple(
        ActorView(m.alias, m.actor.id, m.acts_as, (m.start, m.end), m.governor)
        for m in sentence.mentions
    )
    views: list[TriggerView] = []
    for match, candidate in sentence_candidates(sentence, matches, watchlist, on):
        if candidate is None and not verbose:
            continue
        pattern = watchlist.patterns[match.pattern]
        words = " ".join(sentence.words[match.first : match.last + 1])
        outcome = _outcome(match, candidate, watchlist)
        views.append(TriggerView(pattern.id, pattern.type, words, outcome, candidate))
    normalised = " ".join(sentence.words)
    return SentenceExplanation(
        text[sentence.start : sentence.end], normalised, actors, tuple(views)
    )


def explain(
    text: str, watchlist: Watchlist, *, on: dt.date | None = None, verbose: bool = False
) -> list[SentenceExplanation]:
    """Explain every sentence of `text` (usually one). Triggers whose first word matched but that
    never completed are noise for most questions: they are listed only when `verbose`."""
    day = on or dt.date.today()
    return [
        _explain_sentence(sentence, text, matches, watchlist, day, verbose)
        for sentence, matches in prepared_sentences(text, watchlist, day, every=True)
    ]


def highlights(text: str, watchlist: Watchlist, *, on: dt.date) -> list[tuple[int, int, str]]:
    """Character spans of `text` to mark, in text order and not overlapping: the actors that
    filled a role of an event that fired ("actor"), and the rest of its trigger's words
    ("trigger")."""
    kinds: dict[int, str] = {}
    for sentence, matches in prepared_sentences(text, watchlist, on, every=True):
        for _, candidate in sentence_candidates(sentence, matches, watchlist, on):
            if candidate is None or candidate.reason:
                continue
            trigger = sentence.spans[candidate.trigger.first : candidate.trigger.last + 1]
            for start, end in trigger:
                kinds.update(dict.fromkeys(range(start, end), "trigger"))
            for _, mentions in candidate.roles:
                for mention in mentions:
                    kinds.update(dict.fromkeys(range(mention.start, mention.end), "actor"))
    spans: list[tuple[int, int, str]] = []
    for at in sorted(kinds):
        if spans and spans[-1][1] >= at - 1 and spans[-1][2] == kinds[at]:
            spans[-1] = (spans[-1][0], at + 1, kinds[at])
        else:
            spans.append((at, at + 1, kinds[at]))
    return spans
