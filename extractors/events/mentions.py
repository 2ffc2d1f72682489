"""One sentence prepared for role assignment: its normalised words, the punctuation between them,
and its actor mentions (adjacent hits for one country merged: "Russian Foreign Minister Lavrov")."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from extractors.events.furniture import is_question, is_statement
from extractors.events.gazetteer import Actor
from extractors.events.scan import ActorHit

_PUNCTUATION_RE = re.compile("[,;:()\u2014]")
# Prepositions that put an actor in a phrase of its own ("in Russia", "from Moscow").
# fmt: off
PREPOSITIONS = frozenset({
    "to", "into", "in", "for", "from", "by", "with", "of", "on", "at", "against", "over",
    "toward", "towards", "between", "among", "amid", "alongside", "across", "about", "under",
    "via", "than", "like", "including", "despite", "without", "within", "inside", "near",
    "through", "throughout", "upon", "onto", "behind", "beyond", "during", "per"
})
# fmt: on
_SPECIFICITY = {"person": 0, "body": 1, "company": 1, "group": 2, "organisation": 3, "state": 4}
# Words that may stand between a preposition and its actor without ending the phrase.
# fmt: off
_SKIPPED = frozenset({
    "a", "an", "the", "its", "their", "his", "her", "our", "this", "that", "these", "those",
    "some", "several", "many", "more", "most", "all", "any", "each", "both", "other", "another",
    "such", "than", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "dozen", "dozens", "hundred", "hundreds", "thousand", "thousands",
    "million", "s", "led", "backed", "born", "based", "owned", "linked", "made", "designed",
    "occupied", "administered", "controlled", "allied", "aligned", "sponsored", "brokered",
    "flagged", "least", "nearly", "almost", "roughly", "approximately", "fewer"
})
# Words that end a prepositional phrase looking back: a new clause starts ("relations with Ecuador
# after Ecuadorian police stormed"), or a relative clause does ("drones that Russia fired").
_CLAUSE_WORDS = frozenset({
    "after", "before", "while", "when", "because", "since", "although", "though", "whereas",
    "until", "unless", "if", "but", "which", "who", "whom", "where"
})
# Title words between a demonym and a possessive 's: "the Japanese prime minister's visit".
_TITLE_WORDS = frozenset({
    "president", "prime", "minister", "foreign", "defence", "defense", "interior", "finance",
    "deputy", "vice", "chancellor", "premier", "king", "queen", "emir", "crown", "prince", "leader",
    "supreme", "top", "chief", "envoy", "ambassador", "diplomat", "secretary", "state", "general",
    "head", "commander", "ministry", "government", "authorities", "army", "military", "navy",
    "leadership", "regime", "junta", "parliament", "officials", "diplomats", "forces"
})
_TITLE_REACH = 3
# fmt: on
# "the country", "the alliance": a later mention of an actor the sentence already named, read as the
# first actor of that kind (the sentence's topic: "Sweden's flag ... after the country joined").
_ANAPHORS = {
    "country": "state",
    "alliance": "organisation",
    "bloc": "organisation",
    "movement": "group",
    "group": "group",
}
_NATIONAL = frozenset({"state", "body", "person"})
_PAIRS = frozenset({"countries", "nations", "neighbours", "neighbors", "states", "governments"})
_ANAPHOR_RE = re.compile(
    r"\b(?:the (?:[\w-]+ )?(?:"
    + "|".join(_ANAPHORS)
    + r")|(?:the two|both) (?:"
    + "|".join(_PAIRS)
    + r"))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mention:
    """An actor named in a sentence: word range, character span, who it acts as, and the preposition
    (or slot word) that governs it, if any."""

    first: int
    last: int
    start: int
    end: int
    actor: Actor
    alias: str
    acts_as: str
    governor: str | None
    possessive: bool
    governor_at: int = -1

    def governed_by(self, governor: str | None, at: int) -> Mention:
        """This mention with its governor; built directly, as dataclasses.replace is several times
        slower and every mention of every sentence looked at gets one."""
        if governor == self.governor and at == self.governor_at:
            return self
        return Mention(
            self.first,
            self.last,
            self.start,
            self.end,
            self.actor,
            self.alias,
            self.acts_as,
            governor,
            self.possessive,
            at,
        )


@dataclass(frozen=True)
class Sentence:
    """A sentence's character span, its normalised words with their spans and starts, the
    punctuation before each word (see `_punctuation`) and its actor mentions; `headline` when it
    does not end in a full stop (headline grammar applies), `question` when it ends in "?"."""

    start: int
    end: int
    words: list[str]
    spans: list[tuple[int, int]]
    starts: list[int]
    punctuation: list[str]
    mentions: list[Mention]
    headline: bool = False
    question: bool = False

    def word_at(self, offset: int) -> int:
        """The index of the word holding character `offset`."""
        return bisect.bisect_right(self.starts, offset) - 1


def _punctuation(text: str, spans: Sequence[tuple[int, int]], starts: Sequence[int]) -> list[str]:
    """What separates each word from the one before: ';', ',' (also : ( ) and dashes) or nothing.
    A digit group separator ("3,000") separates nothing."""
    marks = [""] * len(spans)
    if not spans:
        return marks
    for match in _PUNCTUATION_RE.finditer(text, spans[0][1], spans[-1][0]):
        after = bisect.bisect_right(starts, match.start())
        if marks[after] == ";":
            continue
        mark = match.group()
        before, following = spans[after - 1], spans[after]
        digit_group = (
            mark == ","
            and before[1] == match.start()
            and following[0] == match.end()
            and text[before[0] : before[1]].isdigit()
            and text[following[0] : following[1]].isdigit()
        )
        if not digit_group:
            marks[after] = ";" if mark == ";" else ","
    return marks


def _mergeable(
    text: str, words: Sequence[str], spans: Sequence[tuple[int, int]], a: int, b: int
) -> bool:
    """True when only titles ("Foreign Minister") or a possessive 's sit between words a and b."""
    if b - a - 1 > 4 or any(c in text[spans[a][1] : spans[b][0]] for c in ",;:()"):
        return False
    return all(words[k] == "s" or text[spans[k][0]].isupper() for k in range(a + 1, b))


def _merge(
    text: str, words: Sequence[str], spans: Sequence[tuple[int, int]], found: list[Mention]
) -> list[Mention]:
    """Join a title-linked pair for one country into one mention (the most specific actor), and let a
    possessor give way to what it owns: "Yemen's Houthis" is the Houthis."""
    merged: list[Mention] = []
    for mention in found:
        prev = merged[-1] if merged else None
        if (
            prev
            and prev.acts_as == mention.acts_as
            and _mergeable(text, words, spans, prev.last, mention.first)
        ):
            keep = min(prev, mention, key=lambda m: _SPECIFICITY[m.actor.kind])
            merged[-1] = replace(
                keep, first=prev.first, last=mention.last, start=prev.start, end=mention.end
            )
        elif prev and prev.possessive and words[prev.last + 1 : mention.first] in (["s"], []):
            merged[-1] = mention
        else:
            merged.append(mention)
    return merged


def _titled(words: Sequence[str], mention: Mention) -> Mention:
    """A mention whose titles end in a possessive takes them in: "the Japanese prime minister's"."""
    k = mention.last + 1
    while k < len(words) and k - mention.last <= _TITLE_REACH and words[k] in _TITLE_WORDS:
        k += 1
    if mention.possessive or k == mention.last + 1 or k >= len(words) or words[k] != "s":
        return mention
    return replace(mention, last=k - 1, possessive=True)


def _governor(
    words: Sequence[str],
    punctuation: Sequence[str],
    owner: Sequence[int],
    first: int,
    markers: frozenset[str],
) -> int:
    """Where the preposition (or slot word) that introduces the mention starting at word `first`
    stands (-1: none): looking back over determiners, numbers, other mentions ("in the Russian-led
    CSTO") and at most one other word, but not over a verb in -ing ("of leaving the EU") nor a comma."""
    other_words = 0
    for k in range(first - 1, -1, -1):
        if punctuation[k + 1]:
            return -1
        word = words[k]
        if word in _CLAUSE_WORDS or (word == "that" and k == first - 1):
            return -1
        if owner[k] >= 0 or word in _SKIPPED or word.isdigit():
            continue
        if word in markers and words[k + 1] != "least":  # "at least 20 Palestinians"
            return k
        other_words += 1
        if other_words > 1 or word.endswith("ing"):
            return -1
    return -1


def _with_anaphors(
    text: str,
    words: Sequence[str],
    spans: Sequence[tuple[int, int]],
    mentions: list[Mention],
) -> list[Mention]:
    """The mentions plus one for each "the country"/"the alliance" after an actor of that kind, and
    two for "the two countries" (the last two states named before it)."""
    if not mentions or not _ANAPHOR_RE.search(text, spans[0][0], spans[-1][1]):
        return mentions
    added: list[Mention] = []
    for k in range(1, len(words)):
        if words[k] in _PAIRS and words[k - 1] in ("two", "both"):
            added += _pair(text, spans, mentions, k)
            continue
        kind = _ANAPHORS.get(words[k])
        # "the group", and with one qualifier: "the paramilitary group", "the Western alliance"
        the = k - 1 if words[k - 1] == "the" else k - 2 if k > 1 and words[k - 2] == "the" else -1
        if kind is None or the < 0:
            continue
        antecedent = next((m for m in mentions if m.last < the and m.actor.kind == kind), None)
        if antecedent is not None:
            start, end = spans[the][0], spans[k][1]
            possessive = text[end : end + 1] in ("'", "\u2019")
            added.append(
                replace(antecedent, first=the, last=k, start=start, end=end, possessive=possessive)
            )
    return sorted(mentions + added, key=lambda m: m.first)


def _pair(
    text: str, spans: Sequence[tuple[int, int]], mentions: Sequence[Mention], k: int
) -> list[Mention]:
    """ "the two countries" at word `k`: the last two different states named before (or people and
    bodies acting for them), one on each of its two words so that they read as a list of two."""
    states: list[Mention] = []
    for mention in reversed(mentions):
        national = mention.actor.kind in _NATIONAL and mention.last < k - 1
        if national and all(m.acts_as != mention.acts_as for m in states):
            states.insert(0, mention)
        if len(states) == 2:
            break
    if len(states) < 2:
        return []
    possessive = text[spans[k][1] : spans[k][1] + 1] in ("'", "\u2019")
    return [
        replace(m, first=at, last=at, start=spans[at][0], end=spans[at][1], possessive=possessive)
        for m, at in zip(states, (k - 1, k), strict=True)
    ]


def sentence_frame(text: str, normalised: str, span: tuple[int, int]) -> Sentence:
    """The sentence at `span` with its words and punctuation, and no mentions yet: enough to find
    its triggers before the dearer mention work."""
    start, end = span
    # The normalised text has no whitespace but spaces, so splitting at each space gives the words
    # and empty strings between repeated spaces: part k starts at `start` + the lengths of the parts
    # before it + k. Worked out by C iterators, over twice as fast as a regex match per word.
    parts = normalised[start:end].split(" ")
    offsets = map(
        operator.add, itertools.accumulate(map(len, parts), initial=start), itertools.count()
    )
    starts = list(itertools.compress(offsets, parts))
    words = list(filter(None, parts))
    spans = list(zip(starts, map(operator.add, starts, map(len, words)), strict=True))
    punctuation = _punctuation(text, spans, starts)
    body = text[start:end]
    return Sentence(
        start, end, words, spans, starts, punctuation, [], not is_statement(body), is_question(body)
    )


def add_mentions(
    sentence: Sentence,
    text: str,
    hits: Sequence[ActorHit],
    actors: Mapping[str, Actor],
    markers: frozenset[str],
    on: dt.date,
) -> Sentence:
    """The sentence with its actor mentions, from its actor hits `hits` (in text order)."""
    words, spans, starts = sentence.words, sentence.spans, sentence.starts
    found: list[Mention] = []
    for hit in hits:
        first = bisect.bisect_right(starts, hit.start) - 1
        last = bisect.bisect_left(starts, hit.end) - 1
        actor = actors[hit.alias.actor_id]
        acts_as = actor.acts_for(on) or actor.id
        possessive = text[hit.end : hit.end + 1] in ("'", "\u2019")
        found.append(
            Mention(
                first,
                last,
                hit.start,
                hit.end,
                actor,
                text[hit.start : hit.end],
                acts_as,
                None,
                possessive,
            )
        )
    titled = [_titled(words, m) for m in _merge(text, words, spans, found)]
    mentions = _with_anaphors(text, words, spans, titled)
    owner = [-1] * len(words)
    for index, mention in enumerate(mentions):
        owner[mention.first : mention.last + 1] = [index] * (mention.last - mention.first + 1)
    governed = [
        (m, _governor(words, sentence.punctuation, owner, m.first, markers)) for m in mentions
    ]
    mentions = [m.governed_by(words[k] if k >= 0 else None, k) for m, k in governed]
    return Sentence(
        sentence.start,
        sentence.end,
        words,
        spans,
        starts,
        sentence.punctuation,
        mentions,
        sentence.headline,
        sentence.question,
    )
