"""Other actors that a sentence sets beside an event's: the same act done by others ("..., following
Spain, Ireland and Norway", "..., joining Britain and Canada") or refused by them ("..., but not by
Serbia", "..., but Tajikistan won't"). Each gives an event of its own with their actors in the role."""

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


def parallels(sentence: Sentence, roles: Roles) -> Iterator[tuple[Roles, str]]:
    """The roles and modality of each event set beside the one with `roles`: its first role given
    to the others (followers: asserted) or to the actor set against it (negated)."""
    taken = {m.acts_as for _, ms in roles for m in ms}
    first = next((i for i, (_, ms) in enumerate(roles) if ms), None)
    if first is None:
        return
    followers = _followers(sentence, taken) if roles[first][0] in ("source", "party") else []
    if followers:
        yield _with(roles, first, tuple(followers)), "asserted"
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
