"""Other actors that a sentence sets beside an event's: the same act done by others ("..., following
Spain, Ireland and Norway", "..., joining Britain and Canada", "Belgium would follow suit") or
refused by them ("..., but not by Serbia", "..., but Tajikistan won't"). Each gives an event of its
own with their actors in the role."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from extractors.events.mentions import Mention, Sentence

Roles = tuple[tuple[str, tuple[Mention, ...]], ...]

_NEGATIONS = frozenset(
    {
        ("won", "t"), ("will", "not"), ("does", "not"), ("did", "not"), ("has", "not"), ("not",),
        ("refuses",), ("refused",), ("declines",), ("declined",), ("doesn", "t"), ("didn", "t"),
    }
)  # fmt: skip
# "..., following (a similar step by) Spain", "..., joining Britain", "..., like France".
_FOLLOWING = frozenset({"following", "joining", "like", "after"})
_SIMILAR = frozenset(
    {"a", "similar", "step", "move", "decision", "steps", "moves", "by", "those", "of"}
)
_FOLLOW = frozenset({"follow", "follows", "followed", "following"})
_SUIT_REACH = 6
_NOT = frozenset({"not", "never", "t"})
_MIGHT = frozenset({"could", "may", "might"})
_WILL = frozenset({"will", "would", "shall", "expected", "plans", "set"})
# What may follow the list of followers: the end of the clause or a time ("last week").
_LIST_ENDS = frozenset({"last", "earlier", "in", "on", "this", "who", "which", "that", "and"})


def _set_against(words: Sequence[str], mention: Mention) -> bool:
    """ "..., but not (by) Serbia" or "..., but Tajikistan won't": an actor set against the others."""
    k = mention.first - (mention.governor is not None)
    if k >= 2 and tuple(words[k - 2 : k]) == ("but", "not"):
        return True
    after = tuple(words[mention.last + 1 : mention.last + 3])
    return k >= 1 and words[k - 1] == "but" and (after in _NEGATIONS or after[:1] in _NEGATIONS)


def _followers(sentence: Sentence, taken: set[str]) -> list[Mention]:
    """The actors listed after ", following (a similar step by)" when the list ends the clause."""
    words, punctuation = sentence.words, sentence.punctuation
    for k, word in enumerate(words):
        if word not in _FOLLOWING or punctuation[k] != ",":
            continue
        start = k + 1
        while start < len(words) and words[start] in _SIMILAR:
            start += 1
        listed = _listed(sentence, start)
        end = listed[-1].last + 1 if listed else start
        closes = end == len(words) or punctuation[end] or words[end] in _LIST_ENDS
        if listed and closes:
            return [m for m in listed if m.acts_as not in taken]
    return []


def _listed(sentence: Sentence, start: int) -> list[Mention]:
    """The mentions listed from word `start` on ("Spain, Ireland and Norway": the commas are not
    words, so only "and" or "or" stands between them)."""
    listed: list[Mention] = []
    at = start
    for mention in sentence.mentions:
        if mention.first < start:
            continue
        if mention.first != at:
            break
        listed.append(mention)
        at = mention.last + 1
        if at < len(sentence.words) and sentence.words[at] in ("and", "or"):
            at += 1
    return listed


def _suit(sentence: Sentence, taken: set[str]) -> tuple[list[Mention], str] | None:
    """ "..., telling the assembly that Belgium and Luxembourg would follow suit": the actors that
    follow suit, and the modality of their doing so."""
    words = sentence.words
    for k in range(1, len(words)):
        if words[k] != "suit" or words[k - 1] not in _FOLLOW:
            continue
        before = [m for m in sentence.mentions if m.last < k - 1 and k - 1 - m.last <= _SUIT_REACH]
        if not before:
            return None
        listed = [m for m in _listed_before(sentence, before[-1]) if m.acts_as not in taken]
        between = set(words[before[-1].last + 1 : k - 1])
        if between & _NOT:
            return listed, "negated"
        if between & _MIGHT:
            return listed, "hedged"
        return listed, "future" if between & _WILL or words[k - 1] == "follow" else "asserted"
    return None


def _listed_before(sentence: Sentence, last: Mention) -> list[Mention]:
    """`last` and the mentions listed before it ("Belgium and Luxembourg")."""
    listed = [last]
    for mention in reversed(sentence.mentions):
        head = listed[0]
        if mention.last >= head.first:
            continue
        gap = sentence.words[mention.last + 1 : head.first]
        if gap in ([], ["and"], ["or"]) and (gap or sentence.punctuation[head.first] == ","):
            listed.insert(0, mention)
        else:
            break
    return listed


def parallels(sentence: Sentence, roles: Roles) -> Iterator[tuple[Roles, str]]:
    """The roles and modality of each event set beside the one with `roles`: its first role given
    to the others (followers: asserted) or to the actor set against it (negated)."""
    taken = {m.acts_as for _, ms in roles for m in ms}
    first = next((i for i, (_, ms) in enumerate(roles) if ms), None)
    if first is None:
        return
    if roles[first][0] in ("source", "party"):
        followers = _followers(sentence, taken)
        if followers:
            yield _with(roles, first, tuple(followers)), "asserted"
        suit = _suit(sentence, taken)
        if suit is not None and suit[0]:
            yield _with(roles, first, tuple(suit[0])), suit[1]
    for mention in sentence.mentions:
        if mention.acts_as in taken or not _set_against(sentence.words, mention):
            continue
        for index, (_, found) in enumerate(roles):
            if found and found[-1].last < mention.first and found[-1].governor == mention.governor:
                yield _with(roles, index, (mention,)), "negated"
                break


def _with(roles: Roles, index: int, mentions: tuple[Mention, ...]) -> Roles:
    changed = list(roles)
    changed[index] = (changed[index][0], mentions)
    return tuple(changed)
