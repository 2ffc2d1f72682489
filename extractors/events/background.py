"""Background: an event a sentence recalls instead of reporting. Besides the cue phrases of
modality.yaml ("since then", "still posted", "several rounds of"), two cues need the words around
the trigger: an earlier year ("pulled its troops out in 2024", "since 2022") and a relative clause
("Russia, which brokered the ceasefire and sent peacekeepers", "firms that supply components")."""

from __future__ import annotations

from collections.abc import Sequence

from extractors.events.modality import BACKGROUND, Cue

_YEAR_PREPOSITIONS = frozenset({"in", "since", "by", "during", "until", "from"})
# Words between the preposition and the year: "in late 2023", "since the spring of 2022".
_YEAR_GAP = 3
# How far from the trigger a year is looked for: before it within its clause, after it up to here.
_YEAR_BEFORE, _YEAR_AFTER = 10, 16
# Relative pronouns: a clause they open describes someone (used by candidates.py too).
RELATIVES = frozenset({"which", "who", "that"})
# How far into a sentence its subject may reach: "Russia, which ...", "The Taliban, who ...".
_SUBJECT_WORDS = 6
# Words that may stand between a relative pronoun and its verb: "which has long supplied".
_AUXILIARIES = frozenset({"has", "have", "had", "also", "already", "was", "were", "is", "are"})


def _year(word: str) -> int | None:
    return int(word) if len(word) == 4 and word.isdigit() and word[:2] in ("19", "20") else None


def _dated(words: Sequence[str], punctuation: Sequence[str], at: int) -> int | None:
    """Where the preposition of time stands that the year at word `at` follows in its phrase."""
    for k in range(at - 1, max(-1, at - _YEAR_GAP - 2), -1):
        if punctuation[k + 1]:
            return None
        if words[k] in _YEAR_PREPOSITIONS:
            return k
    return None


def earlier_year(
    words: Sequence[str], punctuation: Sequence[str], first: int, last: int, year: int
) -> Cue | None:
    """ "in 2024", "since late 2022": a year before `year` dating the trigger's clause."""
    low, high = first, last
    while low > 0 and first - low < _YEAR_BEFORE and not punctuation[low]:
        low -= 1
    while high + 1 < len(words) and high - last < _YEAR_AFTER and not punctuation[high + 1]:
        high += 1
    for at in range(low, high + 1):
        found = _year(words[at])
        start = _dated(words, punctuation, at) if found is not None and found < year else None
        if start is not None:
            return Cue(BACKGROUND, " ".join(words[start : at + 1]), at)
    return None


def relative_clause(
    words: Sequence[str], punctuation: Sequence[str], first: int, last: int
) -> Cue | None:
    """ "firms that supply components", "Russia, which brokered ... and sent peacekeepers": a
    trigger in a relative clause describes someone by what they did or do, also when the clause is
    inside the trigger ("two businessmen who have been held for a year")."""
    inside = next((k for k in range(first + 1, last) if words[k] in RELATIVES), None)
    if inside is not None:
        return Cue(BACKGROUND, words[inside], inside)
    k = first - 1
    while (
        k >= 0 and (words[k] in _AUXILIARIES or words[k].endswith("ly")) and not punctuation[k + 1]
    ):
        k -= 1
    if k >= 0 and words[k] in RELATIVES and not punctuation[k + 1] and punctuation[k] != ",":
        return Cue(BACKGROUND, words[k], k)
    for k in range(first - 1, max(-1, first - _YEAR_BEFORE - 1), -1):
        if punctuation[k + 1]:
            break
        # Only a clause on the sentence's subject: a trailing one tells what followed ("drawing
        # a rebuke from Israel, which recalled its ambassadors").
        if words[k] in ("which", "who") and punctuation[k] == "," and k <= _SUBJECT_WORDS:
            return Cue(BACKGROUND, f", {words[k]}", k)
    return None


def background_cues(
    words: Sequence[str], punctuation: Sequence[str], first: int, last: int, year: int
) -> list[Cue]:
    """The cues of an earlier year or a relative clause around a trigger spanning first..last."""
    found = (
        earlier_year(words, punctuation, first, last, year),
        relative_clause(words, punctuation, first, last),
    )
    return [cue for cue in found if cue is not None]
