"""Role assignment: which actor mention fills which role of an event, from the pattern's slots, the
trigger's position, passive voice and coordination ("Russia, Iran and China")."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace

from extractors.events.mentions import Mention, Sentence
from extractors.events.patterns import RoleSpec, Slot

_BE = frozenset(["is", "are", "was", "were", "be", "been", "being"])
# fmt: off
_IRREGULAR_PARTICIPLES = frozenset({
    "sent", "struck", "shot", "hit", "held", "met", "built", "sold", "given", "taken", "brought",
    "made", "seen", "led", "paid", "drawn", "thrown", "won", "fought", "begun", "frozen",
    "withdrawn", "broken", "cut", "set", "put", "shut", "spent"
})
# fmt: on
# Words after which a participle is a verb in the active ("it downed", "won't cut", "has sent").
# fmt: off
_ACTIVE_BEFORE = frozenset({
    "it", "they", "he", "she", "we", "i", "who", "which", "that", "t", "not", "to", "will",
    "would", "can", "could", "may", "might", "should", "must", "did", "does", "do", "has",
    "have", "had", *_BE
})
# fmt: on
_COORDINATORS = frozenset(
    {("and",), ("or",), ("nor",), ("as", "well", "as"), ("along", "with"), ("together", "with")}
)
_LIST_FILLERS = frozenset({"the", "both", "either", "neither", "a", "an"})
_BY = Slot("after", frozenset({"by"}))
_GERUND_LINKS = frozenset({"for", "of", "over"})
# fmt: off
_AGENTS = frozenset({
    "authorities", "police", "officials", "forces", "troops", "security", "services", "agents",
    "officers", "government", "army", "military", "navy", "warplanes", "jets", "drones",
})
# fmt: on
# "was in Turkey meeting ...": an actor after these words only places what follows.
_PLACE_MARKERS = frozenset({"in", "at", "inside", "near"})
# "the NATO-led mission in Kosovo", "a US-brokered deal": the actor only qualifies the noun, so it
# fills no role after the trigger.
_MODIFIERS = frozenset(
    {"led", "backed", "brokered", "sponsored", "funded", "run", "aligned", "allied", "linked"}
)
_LANDMARKS = frozenset({"border", "borders", "frontier", "coast", "coastline"})
# fmt: off
_PLACES = frozenset({
    "town", "towns", "village", "villages", "city", "area", "areas", "region", "district", "province"
})
# fmt: on
# fmt: off
_COMPANY_NOUNS = frozenset({
    "company", "companies", "firm", "firms", "refiner", "refiners", "refinery", "maker", "makers",
    "manufacturer", "manufacturers", "carrier", "airline", "airlines", "bank", "banks", "lender",
    "giant", "conglomerate", "producer", "producers", "supplier", "operator", "developer",
    "investor", "investors", "startup", "automaker", "carmaker", "shipbuilder", "miner",
    "exporter", "importer", "retailer", "utility", "insurer", "chipmaker", "corporation",
    "consortium", "businesses", "trader", "traders", "shipper", "brand", "brewer",
})
# fmt: on
_COMPANY_REACH = 3
# fmt: off
_PEOPLE = frozenset({
    "staff", "employees", "members", "citizens", "nationals", "executives", "workers",
    "journalists", "crew", "crews", "officials", "diplomats", "soldiers", "troops", "sailors",
    "reporters", "activists", "people", "employee", "ministers", "minister", "leaders",
    "presidents", "delegations", "representatives", "envoys",
})
# fmt: on
_WORKING = frozenset({"working", "employed", "reporting", "writing"})
_QUANTITIES = frozenset({"hundreds", "dozens", "thousands", "scores", "group", "number", "handful"})
_RELATIVES = frozenset({"which", "who"})
_REASONS = frozenset({"over", "amid", "despite"})
# "rolled over its sanctions", "handed over weapons": "over" is part of the verb.
_PARTICLE_VERBS = frozenset(
    {"roll", "rolls", "rolled", "rolling", "hand", "hands", "handed", "handing", "take", "takes",
     "took", "taken", "taking", "carry", "carries", "carried", "carrying", "turn", "turns", "turned"}
)  # fmt: skip
_REASON_REACH = 3
# How far before a trigger its relative pronoun may stand ("which has since recalled").
_RELATIVE_REACH = 4
_POSSESSOR_REACH = 3
_SUBJECT_REACH = 2  # times the pattern's window


@dataclass(frozen=True)
class Earlier:
    """What the triggers already fired in the sentence tell a later one: the mentions they took as
    objects (not a subject for later verbs: "X cancelled [Russian] visits, summoned ..."), their
    subjects (shared by coordinated verbs: "X cancelled ... and summoned ...") and the hosts of a
    visit (a party to what the visitor signs there: "X visited Y and signed an agreement")."""

    objects: frozenset[int] = frozenset()
    subjects: tuple[Mention, ...] = ()
    hosts: tuple[Mention, ...] = ()


@dataclass(frozen=True)
class TriggerSpan:
    """Where a trigger sits in a sentence (word indexes, inclusive) and its voice."""

    first: int
    last: int
    passive: bool


def is_passive(sentence: Sentence, first: int) -> bool:
    """`first` is a participle after a form of "to be", maybe past an adverb ("was formally
    recognised")."""
    word = sentence.words[first]
    if not (word.endswith("ed") or word in _IRREGULAR_PARTICIPLES):
        return False
    before = sentence.words[max(0, first - 2) : first]
    if len(before) == 2 and before[1].endswith("ly"):
        return before[0] in _BE
    if sentence.headline and before and not sentence.punctuation[first]:
        # Headlines drop "to be": "Journalists detained in Minsk", unless an actor or a pronoun
        # acts ("Russia recognised ...", "says it downed ...").
        actor = any(m.last == first - 1 for m in sentence.mentions)
        return not actor and before[-1] not in _ACTIVE_BEFORE
    return bool(before) and before[-1] in _BE


def _before(sentence: Sentence, trigger: TriggerSpan, window: int) -> Iterator[Mention]:
    for mention in reversed(sentence.mentions):
        if mention.last < trigger.first and trigger.first - mention.last - 1 <= window:
            yield mention


def _after(sentence: Sentence, trigger: TriggerSpan, window: int) -> Iterator[Mention]:
    """Mentions after the trigger; a governor on the far side of the trigger does not count."""
    for mention in sentence.mentions:
        if mention.first > trigger.last and mention.first - trigger.last - 1 <= window:
            yield (
                mention if mention.governor_at >= trigger.last else replace(mention, governor=None)
            )


def _in_clause(sentence: Sentence, trigger: TriggerSpan, mention: Mention) -> bool:
    """No comma between the trigger and a mention after it."""
    return not any(sentence.punctuation[k] for k in range(trigger.last + 1, mention.first + 1))


def _is_subject(
    sentence: Sentence, mention: Mention, trigger: TriggerSpan, objects: frozenset[int]
) -> bool:
    """Not in a prepositional phrase, unless right before the trigger ("with Armenia freezing", but
    not a place: "was in Turkey meeting") or a possessor near it ("during Xi's visit"); not the
    object of an earlier verb of the sentence."""
    if mention.start in objects:
        return False
    near = trigger.first - mention.last <= _POSSESSOR_REACH
    between = sentence.words[mention.last + 1 : trigger.first]
    # "with Azerbaijani authorities raiding ...": the actor and its agents right before the gerund.
    adjacent = (
        len(between) <= 2
        and all(word in _AGENTS for word in between)
        and mention.governor not in _PLACE_MARKERS
    )
    return (
        mention.governor is None
        or adjacent
        or (mention.possessive and near)
        or _people_of(sentence, mention)
    )


def _people_of(sentence: Sentence, mention: Mention) -> bool:
    """ "Staff of Chinese-owned firm arrested", "journalists working for an Azerbaijani outlet
    detained": the people of an actor stand for it."""
    at, words = mention.governor_at, sentence.words
    if mention.governor == "of":
        # "staff of X", and "hundreds of South Korean workers"
        following = words[mention.last + 1 : mention.last + 2]
        counted = at > 0 and words[at - 1] in _QUANTITIES and bool(following)
        return at > 0 and (words[at - 1] in _PEOPLE or (counted and following[0] in _PEOPLE))
    return (
        mention.governor == "for"
        and at > 1
        and words[at - 1] in _WORKING
        and (words[at - 2] in _PEOPLE)
    )


def _modifier(sentence: Sentence, mention: Mention) -> bool:
    following = mention.last + 1
    if following >= len(sentence.words):
        return False
    word, then = sentence.words[following], sentence.words[following + 1 : following + 2]
    # "near the Kenyan border" only places the event; "on the Lebanese border" or "near the Syrian
    # border town of ..." may still name the target.
    near_border = mention.governor == "near" and word in _LANDMARKS
    return word in _MODIFIERS or (near_border and not _PLACES.intersection(then))


def _relative_antecedent(sentence: Sentence, trigger: TriggerSpan) -> Iterator[Mention]:
    """ "..., drawing a response from Israel, which recalled its envoy": the actor before ", which"
    (or ", who") is the subject of the verb in the relative clause."""
    words = sentence.words
    for k in range(trigger.first - 1, max(-1, trigger.first - 1 - _RELATIVE_REACH), -1):
        if words[k] in _RELATIVES:
            if sentence.punctuation[k] == ",":
                yield from (m for m in sentence.mentions if m.last == k - 1)
            return
        if sentence.punctuation[k + 1]:
            return


def _reason_phrase(sentence: Sentence, trigger: TriggerSpan) -> list[Mention] | None:
    """ "Beijing sanctioned U.S. firms over (their) arms sales to Taiwan": a noun in a phrase of
    reason belongs to the actor last named before that phrase, but not to the sentence's subject
    ("X's exports grew despite Western sanctions" has none). None when the trigger is not in
    such a phrase."""
    words, mentions = sentence.words, sentence.mentions
    for k in range(trigger.first - 1, max(-1, trigger.first - 1 - _REASON_REACH), -1):
        if any(m.first <= k <= m.last for m in mentions) or sentence.punctuation[k + 1]:
            return None
        if words[k] in _REASONS and not (k and words[k - 1] in _PARTICLE_VERBS):
            subject = mentions[0] if mentions and mentions[0].governor is None else None
            return [m for m in mentions if m.last < k and m is not subject][-1:]
    return None


def _agent_of(sentence: Sentence, mention: Mention) -> bool:
    """ "detained by officers of Russia's security service": the actor the agents serve."""
    at = mention.governor_at
    return mention.governor == "of" and "by" in sentence.words[max(0, at - 3) : at - 1]


def _slot_mentions(
    sentence: Sentence, trigger: TriggerSpan, slot: Slot, window: int, earlier: Earlier
) -> Iterator[Mention]:
    kind = slot.kind
    # A subject may stand far back ("X is reportedly preparing to ..., planning to send"), and so
    # may the grammatical subject of a passive ("A publisher who ... is believed to have been held").
    far = kind == "subject" or (trigger.passive and kind == "object")
    # "X was recognised by Y": the agent follows "by", the grammatical subject is the object.
    if trigger.passive and kind == "subject":
        # The agent may come late ("were detained ... and taken away by officers of ...").
        kind, slot, window = "after", _BY, window * _SUBJECT_REACH
    elif trigger.passive and kind == "object":
        kind = "before"
    if kind == "subject" and (reason := _reason_phrase(sentence, trigger)) is not None:
        # A noun in a phrase of reason ("over arms sales") has no subject but its owner.
        yield from reason
        return
    if kind in ("subject", "before"):
        yield from _relative_antecedent(sentence, trigger)
        before = _before(sentence, trigger, window * _SUBJECT_REACH if far else window)
        # "blacklisted Chinese firms for supplying ...": the object of the verb acts in the gerund.
        gerund = trigger.first > 0 and sentence.words[trigger.first - 1] in _GERUND_LINKS
        objects = (
            frozenset()
            if gerund and sentence.words[trigger.first].endswith("ing")
            else earlier.objects
        )
        yield from (m for m in before if _is_subject(sentence, m, trigger, objects))
        if kind == "subject":
            yield from earlier.subjects
    elif kind == "possessor":
        near = _before(sentence, trigger, _POSSESSOR_REACH)
        yield from (m for m in near if m.possessive and m.start not in earlier.objects)
    elif kind == "object":
        after = _after(sentence, trigger, window)
        yield from (
            m
            for m in after
            if m.governor is None
            and _in_clause(sentence, trigger, m)
            and not _modifier(sentence, m)
        )
    elif kind == "after":
        after = _after(sentence, trigger, window)
        yield from (
            m
            for m in after
            if (m.governor in slot.words or ("by" in slot.words and _agent_of(sentence, m)))
            and not _modifier(sentence, m)
        )
    else:
        yield from (
            m for m in sentence.mentions if m.first <= trigger.last and m.last >= trigger.first
        )


def _link(sentence: Sentence, left: Mention, right: Mention) -> str | None:
    """How two neighbouring mentions are joined: 'and' (and/or/nor/as well as), ',' or None."""
    # "two Colombian nationals and a Spaniard": determiners and the people listed do not count.
    between = tuple(
        w
        for w in sentence.words[left.last + 1 : right.first]
        if w not in _LIST_FILLERS and w not in _PEOPLE
    )
    if between in _COORDINATORS:
        return "and"
    if not between and sentence.punctuation[right.first] == ",":
        return ","
    if right.first == left.last + 1 and not sentence.punctuation[right.first]:
        return "and"  # "a French-British national"
    return None


def _coordinated(sentence: Sentence, chosen: Mention, trigger: TriggerSpan) -> list[Mention]:
    """`chosen` and the mentions listed with it ("Russia, Iran and China") on its side of the
    trigger."""
    before = chosen.last < trigger.first
    if not before and chosen.first <= trigger.last:
        return [chosen]
    side = [
        m
        for m in sentence.mentions
        if (m.last < trigger.first if before else m.first > trigger.last)
    ]
    links = [_link(sentence, a, b) for a, b in itertools.pairwise(side)]
    at = lo = hi = next(i for i, m in enumerate(side) if m.first == chosen.first)
    while hi < len(links) and links[hi] is not None:
        hi += 1
    while lo > 0 and links[lo - 1] is not None:
        lo -= 1
    # A comma joins a list only when an "and" closes it further right: "A, B and C", not "In A, B";
    # headlines drop the "and" before a verb ("Ukraine, US sign minerals deal").
    while hi > lo and links[hi - 1] == "," and not _headline_pair(sentence, side[hi - 1 : hi + 1]):
        hi -= 1
    return side[lo : hi + 1] if at <= hi else [chosen]


def _company(sentence: Sentence, mention: Mention) -> bool:
    """ "a Chinese state-owned refiner": the demonym only says where a company comes from."""
    following = range(mention.last + 1, min(len(sentence.words), mention.last + 1 + _COMPANY_REACH))
    for k in following:
        if sentence.punctuation[k]:
            return False
        if sentence.words[k] in _COMPANY_NOUNS:
            return True
    return False


def _headline_pair(sentence: Sentence, pair: list[Mention]) -> bool:
    """Two actors joined by a comma at the start of a headline, both its subjects."""
    return (
        sentence.headline
        and pair[0].first == 0
        and all(m.governor is None and not m.possessive for m in pair)
    )


def _fits(spec: RoleSpec, mention: Mention, taken: set[str], sentence: Sentence) -> bool:
    """Not in another role already; a bloc for `organisation`; no company as a treaty's party."""
    return (
        mention.acts_as not in taken
        and (spec.role != "organisation" or mention.actor.kind == "organisation")
        and (spec.role != "party" or not _company(sentence, mention))
    )


def fill_role(
    sentence: Sentence,
    trigger: TriggerSpan,
    spec: RoleSpec,
    window: int,
    taken: set[str],
    earlier: Earlier,
) -> list[Mention]:
    """Mentions for one role. `taken` holds the actors (as who they act for) already in other roles;
    `earlier` tells what the triggers fired before this one in the sentence found."""
    chosen: list[Mention] = []
    for slot in spec.slots:
        for mention in _slot_mentions(sentence, trigger, slot, window, earlier):
            if _fits(spec, mention, taken, sentence):
                chosen += [
                    m
                    for m in _coordinated(sentence, mention, trigger)
                    if _fits(spec, m, taken, sentence)
                ]
                if slot.kind != "inside":  # every actor inside the trigger belongs to the role
                    break
        if chosen and not spec.collect:
            break
    unique: dict[str, Mention] = {}
    for mention in chosen:
        unique.setdefault(mention.acts_as, mention)
    return list(unique.values())
