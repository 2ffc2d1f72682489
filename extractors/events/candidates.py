"""What each complete trigger of a sentence becomes: its roles filled, its modality, its confidence,
and whether it fires (or why not: a missing role, a veto, a longer trigger around it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from extractors.events.background import RELATIVES, background_cues
from extractors.events.headline import headline_cues, quoted_speaker
from extractors.events.mentions import Mention, Sentence
from extractors.events.modality import BACKGROUND, REQUESTED, Cue, find_cues, modality_of
from extractors.events.parallels import Roles, parallels
from extractors.events.patterns import Pattern, Step, phrase_at, step_matches
from extractors.events.roles import Earlier, TriggerSpan, fill_role, is_passive
from extractors.events.triggers import TriggerMatch
from extractors.events.watchlist import Watchlist

_VISIT = "official_visit"
_AGREEMENT = "agreement_signed"
_TARGET_PREPOSITIONS = frozenset({"into", "on", "at", "against", "in"})


def _acting(mentions: list[Mention]) -> set[str]:
    return {m.acts_as for m in mentions}


@dataclass(frozen=True)
class Candidate:
    """A complete trigger of a pattern in a sentence and what became of it: `reason` says why it did
    not fire (empty when it fired); `background` when a cue says it is recalled, not reported."""

    pattern: Pattern
    trigger: TriggerSpan
    roles: Roles
    cues: tuple[Cue, ...]
    modality: str
    confidence: float
    reason: str
    background: bool = False


def _fitting(words: Sequence[str], step: Step) -> list[int]:
    return [k for k, word in enumerate(words) if step_matches(step, word)]


def _vetoed(sentence: Sentence, pattern: Pattern) -> str | None:
    words = sentence.words
    for veto in pattern.veto:
        head = veto.steps[0]
        # Only where the first word fits (a first step of several words is tried everywhere).
        starts = range(len(words)) if head.phrases else _fitting(words, head)
        if any(phrase_at(words, start, veto) for start in starts):
            return veto.text
    return None


def _confidence(pattern: Pattern, trigger: TriggerSpan, roles: Roles) -> float:
    """The pattern's weight, less for actors far from the trigger and for roles left empty."""
    mentions = [m for _, ms in roles for m in ms]
    distance = max(
        (max(trigger.first - m.last, m.first - trigger.last) - 1 for m in mentions), default=0
    )
    missing = sum(1 for _, ms in roles if not ms)
    score = pattern.weight + 0.1 - 0.02 * max(0, distance - 3) - 0.15 * missing
    return round(min(0.99, max(0.05, score)), 2)


def _split_symmetric(roles: Roles) -> Roles:
    found = dict(roles)
    source, target = found.get("source", ()), found.get("target", ())
    if len(source) > 1 and not target:
        found["source"], found["target"] = source[:1], source[1:]
    return tuple(found.items())


def _fill_roles(
    sentence: Sentence, pattern: Pattern, trigger: TriggerSpan, earlier: Earlier
) -> Roles:
    taken: set[str] = set()
    roles: list[tuple[str, tuple[Mention, ...]]] = []
    for spec in pattern.roles:
        mentions = fill_role(sentence, trigger, spec, pattern.window, taken, earlier)
        if spec.role == "party" and mentions:
            mentions += [m for m in earlier.hosts if m.acts_as not in taken | _acting(mentions)]
        taken |= _acting(mentions)
        roles.append((spec.role, tuple(mentions)))
    roles = _owner_of_its(sentence, trigger, roles, taken)
    speaker = quoted_speaker(sentence, trigger.first)
    if speaker is not None and speaker.acts_as not in taken and roles and not roles[0][1]:
        # the "we" of a quoted headline is the actor of its first role (source or party)
        roles[0] = (roles[0][0], (speaker,))
    return _split_symmetric(tuple(roles)) if pattern.symmetric else tuple(roles)


def _owner_of_its(
    sentence: Sentence,
    trigger: TriggerSpan,
    roles: list[tuple[str, tuple[Mention, ...]]],
    taken: set[str],
) -> list[tuple[str, tuple[Mention, ...]]]:
    """ "Ecuadorean police stormed its embassy", "X accuses Y of firing rockets into its territory":
    with no target named, "its" in the trigger (or right after it) is the sentence's first other
    actor (Mexico, in "Mexico broke off relations ... after ...")."""
    found = dict(roles)
    words = sentence.words
    after = words[trigger.last + 1 : trigger.last + 3]
    its = "its" in words[trigger.first : trigger.last + 1] or (
        "its" in after and (after[0] == "its" or after[0] in _TARGET_PREPOSITIONS)
    )
    if "target" not in found or found["target"] or not its:
        return roles
    owner = next(
        (m for m in sentence.mentions if m.last < trigger.first and m.acts_as not in taken), None
    )
    return [(r, (owner,) if r == "target" and owner else ms) for r, ms in roles]


def _commercial(pattern: Pattern, roles: Roles) -> str:
    """ "SOCAR signed a gas supply deal with Bulgaria": a company's deal is no state agreement."""
    if pattern.type != _AGREEMENT:
        return ""
    company = next((m for _, ms in roles for m in ms if m.actor.kind == "company"), None)
    return f"a deal of the company {company.actor.name}, not of a state" if company else ""


def evaluate_trigger(
    sentence: Sentence,
    pattern: Pattern,
    match: TriggerMatch,
    watchlist: Watchlist,
    on: dt.date,
    earlier: Earlier | None = None,
) -> Candidate:
    """Assign roles and modality for one complete trigger and decide whether it fires; `earlier`
    holds what the triggers fired before it in the sentence found, and `on` is the text's date
    (a year before it makes an event background)."""
    trigger = TriggerSpan(match.first, match.last, is_passive(sentence, match.first))
    roles = _fill_roles(sentence, pattern, trigger, earlier or Earlier())
    missing = [role for role, mentions in roles if not mentions and role not in pattern.optional]
    # A trigger that cannot fire has no confidence to speak of.
    if missing:
        return Candidate(
            pattern, trigger, roles, (), "", 0.0, f"no actor for role {', '.join(missing)}"
        )
    if not any(mentions for _, mentions in roles):
        return Candidate(pattern, trigger, roles, (), "", 0.0, "no actor in any role")
    confidence = _confidence(pattern, trigger, roles)
    veto = _vetoed(sentence, pattern)
    words, punctuation = sentence.words, sentence.punctuation
    cues = find_cues(words, punctuation, match.first, match.last, watchlist.modality)
    cues += background_cues(words, punctuation, match.first, match.last, on.year)
    found = dict(roles)
    headline, overruled = headline_cues(
        sentence, match.first, found.get("source") or found.get("party", ())
    )
    cues = [cue for cue in cues if cue.phrase not in overruled] + headline
    asked = next(
        (
            cue.phrase
            for cue in cues
            if cue.modality == REQUESTED
            # "called on Beijing to free two men who have been held": the detention stands
            and RELATIVES.isdisjoint(words[cue.word + 1 : match.last + 1])
        ),
        None,
    )
    reason = f"vetoed by '{veto}' in the sentence" if veto else ""
    reason = reason or (f"only asked for ('{asked}'), not done" if asked else "")
    reason = reason or _commercial(pattern, roles)
    background = any(cue.modality == BACKGROUND for cue in cues)
    return Candidate(
        pattern, trigger, roles, tuple(cues), modality_of(cues), confidence, reason, background
    )


def _swallowed(
    match: TriggerMatch, candidate: Candidate, fired: Sequence[tuple[TriggerMatch, Candidate]]
) -> Candidate:
    """A trigger inside a longer one that fired, or starting on its last words, is not an event."""
    for other, by in fired:
        if match.within(other):
            return replace(candidate, reason=f"inside the longer trigger of {by.pattern.id}")
    return candidate


def sentence_candidates(
    sentence: Sentence, matches: Sequence[TriggerMatch], watchlist: Watchlist, on: dt.date
) -> list[tuple[TriggerMatch, Candidate | None]]:
    """Every trigger of the sentence (`matches`, in text order), with its candidate when the
    trigger is complete; `on` is the text's date."""
    found: list[tuple[TriggerMatch, Candidate | None]] = []
    earlier = Earlier()
    for match in matches:
        if not match.complete:
            found.append((match, None))
            continue
        pattern = watchlist.patterns[match.pattern]
        candidate = evaluate_trigger(sentence, pattern, match, watchlist, on, earlier)
        if not candidate.reason:
            mentions = [m for _, ms in candidate.roles for m in ms]
            objects = earlier.objects | {m.start for m in mentions if m.first > match.first}
            subjects = tuple(m for m in mentions if m.last < match.first) or earlier.subjects
            hosts = dict(candidate.roles).get("target", ()) if pattern.type == _VISIT else ()
            earlier = Earlier(objects, subjects, hosts or earlier.hosts)
        found.append((match, candidate))
    fired = [(m, c) for m, c in found if c is not None and not c.reason]
    kept = [(m, c and _swallowed(m, c, fired)) for m, c in found]
    return kept + [
        (m, replace(c, roles=roles, modality=modality))
        for m, c in kept
        if c is not None and not c.reason
        for roles, modality in parallels(sentence, c.roles)
    ]
