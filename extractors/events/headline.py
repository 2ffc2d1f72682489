"""Headline grammar: a headline (a sentence that does not end in a full stop) has modality cues of
its own. "Iran to summon ..." is planned, "..., says Kyiv" is hedged unless the speaker is the
event's source, and a question (in a headline or not) asserts nothing."""

from __future__ import annotations

from collections.abc import Sequence

from extractors.events.mentions import Mention, Sentence
from extractors.events.modality import Cue

# Words that say who says so: "X says ...", "..., Y claims", "according to Z".
_SAYS = frozenset(
    {"says", "say", "said", "claims", "claim", "claimed", "alleges", "allege", "insists", "warns"}
)
_HEDGES_OF_SPEECH = frozenset({"claims", "claim", "claimed", "claiming", "alleges", "alleged"})
# fmt: off
_REPORTS = frozenset({
    "report", "reports", "sources", "source", "officials", "media", "witnesses", "mediators",
    "analysts", "monitors", "experts", "activists", "residents", "diplomats", "investigators",
    "intelligence", "observers", "rescuers", "group", "groups", "insiders", "documents",
})
# fmt: on
_CLAUSE_OPENERS = frozenset({"after", "before", "as", "amid", "while", "despite", "following"})
# The source's own state media speaks for it: "Iran suspends ..., state media says".
_OWN_MEDIA = frozenset({("state", "media"), ("state", "tv"), ("state", "television")})
# A subject before "to" + verb: an actor, or a noun that stands for one ("Kenyan police to deploy").
# fmt: off
_SUBJECT_NOUNS = frozenset({
    "police", "troops", "forces", "army", "military", "navy", "government", "president", "pm",
    "minister", "ministers", "leader", "leaders", "chief", "envoy", "parliament", "lawmakers",
    "officials", "authorities", "regulators", "court", "junta", "cabinet", "king", "queen",
    "chancellor", "premier", "bloc", "alliance", "allies", "states", "nations", "members",
})
# fmt: on


def _speaker_of(sentence: Sentence, at: int) -> tuple[Mention | None, bool]:
    """Who says so at word `at` (a "says" word): the actor right before it ("Kyiv says", "Russia's
    army says") or right after it ("..., says Kyiv"); the second value tells whether the speaker is
    someone else than an actor, unnamed ("officials say", "a report says")."""
    words, punctuation = sentence.words, sentence.punctuation
    for mention in sentence.mentions:
        between = range(mention.last + 1, at + 1)
        if 0 < at - mention.last <= 3 and not any(punctuation[k] for k in between):
            return mention, False
        if mention.first in (at + 1, at + 2) and punctuation[at]:
            return mention, False
    if tuple(words[max(0, at - 2) : at]) in _OWN_MEDIA:
        return None, False
    return None, at > 0 and words[at - 1] in _REPORTS


def _reports(sentence: Sentence, at: int, first: int) -> bool:
    """Whether the "says" word at `at` reports the clause of the trigger at `first`: not across a
    ";" ("X says it downed a drone; Y summons envoy") nor over a new clause ("'We will respond,' Iran
    says after Israeli strikes")."""
    low, high = sorted((at, first))
    if any(sentence.punctuation[k] == ";" for k in range(low + 1, high + 1)):
        return False
    return at > first or not _CLAUSE_OPENERS.intersection(sentence.words[at + 1 : first])


def _attribution(
    sentence: Sentence, first: int, source: Sequence[Mention]
) -> tuple[list[Cue], frozenset[str]]:
    """ "Ukraine says Russia struck ...", "... strike on Kyiv, Ukraine claims": hedged when the
    speaker is not the event's source. "Russia says it struck ..." stays asserted, and so does
    "Israel claims strike ...": the words by which the source speaks are returned to be overruled."""
    sources = {m.acts_as for m in source}
    hedges: list[Cue] = []
    own: set[str] = set()
    for at, word in enumerate(sentence.words):
        if word not in _SAYS or at == first or not _reports(sentence, at, first):
            continue
        speaker, unnamed = _speaker_of(sentence, at)
        if speaker is not None and speaker.acts_as in sources:
            own.add(word)
        elif speaker is not None or unnamed:
            hedges.append(Cue("hedged", word, at))
    return hedges, frozenset(own & _HEDGES_OF_SPEECH)


def _planned(sentence: Sentence, first: int) -> list[Cue]:
    """ "Iran to summon French envoy", "UK to formally recognise ...", "X recalls envoy, to shut
    embassy": "to" + verb after the subject (or after a comma) is the headline's future."""
    words = sentence.words
    to = first - 2 if first >= 2 and words[first - 1].endswith("ly") else first - 1
    if to < 1 or words[to] != "to":
        return []
    if sentence.punctuation[to] == ",":
        return [Cue("future", "to", to)]
    is_actor = any(m.last == to - 1 for m in sentence.mentions)
    subject = is_actor or words[to - 1] in _SUBJECT_NOUNS
    return [Cue("future", "to", to)] if subject and not sentence.punctuation[to] else []


def quoted_speaker(sentence: Sentence, first: int) -> Mention | None:
    """ "'We do not recognise Maduro,' says Argentina's Milei": the speaker is the "we" of a quote
    before the trigger."""
    if not sentence.headline or not {"we", "i"} & set(sentence.words[:first]):
        return None
    for at, word in enumerate(sentence.words[first:], start=first):
        if word in _SAYS:
            speaker, _ = _speaker_of(sentence, at)
            return speaker
    return None


def headline_cues(
    sentence: Sentence, first: int, source: Sequence[Mention]
) -> tuple[list[Cue], frozenset[str]]:
    """Modality cues of headline grammar for a trigger at word `first` whose source actors are
    `source`, and the cue phrases they overrule ("claims" by the source itself hedges nothing)."""
    cues = [Cue("hedged", "?", len(sentence.words) - 1)] if sentence.question else []
    if not sentence.headline:
        return cues, frozenset()
    hedges, overruled = _attribution(sentence, first, source)
    return cues + hedges + _planned(sentence, first), overruled
