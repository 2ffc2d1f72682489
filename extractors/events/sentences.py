"""Sentence splitting for wire copy: survives abbreviations (Mr., U.S., Jan.), initials and quotes."""

from __future__ import annotations

import re

# A terminator (with any closing quotes/brackets) followed by whitespace, or a line break.
_CANDIDATE_RE = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s|$)|\n")
_NEXT_CHAR_RE = re.compile(r"\S")
_TERMINATORS = ".!?\u2026\n"  # the line break last: it never joins a run of the others
_WINDOW = 500
_DOTTED_ACRONYM_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
# fmt: off
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cpt", "sgt", "adm",
    "cmdr", "sen", "rep", "gov", "pres", "amb", "rev", "hon", "st", "mt", "ft", "jr", "sr", "no",
    "nos", "vs", "etc", "inc", "corp", "ltd", "co", "bros", "dept", "univ", "approx", "est",
    "fig", "vol", "pp", "op", "cf", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec"
})
# fmt: on
# After a dotted acronym ("the U.S."), only these words make the next text a new sentence.
# fmt: off
_SENTENCE_STARTERS = frozenset({
    "the", "a", "an", "it", "its", "he", "she", "they", "we", "i", "his", "her", "their", "this",
    "that", "these", "those", "there", "but", "and", "in", "on", "at", "however", "meanwhile",
    "yet", "so", "still", "also", "some", "many", "most", "both", "while", "when", "after",
    "before", "if", "as"
})
# fmt: on


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    following = _NEXT_CHAR_RE.search(text, match.end())
    if following is None:
        return True
    if following.group().islower():
        return False
    marks = match.group()
    if marks == "\n" or not marks.startswith(".") or len(marks.rstrip("\"'\u201d\u2019)]")) > 1:
        return True
    token_start = max(text.rfind(" ", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
    token = text[token_start : match.start()].lstrip("\"'(\u201c\u2018[")
    if token.lower() in _ABBREVIATIONS or (len(token) == 1 and token.isupper()):
        return False
    if _DOTTED_ACRONYM_RE.fullmatch(token):
        next_word = text[following.start() : following.start() + 12].split(" ", 1)[0]
        return next_word.lower().strip("\"'\u201c\u2018") in _SENTENCE_STARTERS
    return True


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) character offsets of each sentence in `text`, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CANDIDATE_RE.finditer(text):
        if _is_boundary(text, match):
            span = _trimmed(text, start, match.end())
            if span is not None:
                spans.append(span)
            start = match.end()
    span = _trimmed(text, start, len(text))
    if span is not None:
        spans.append(span)
    return spans


class SentenceFinder:
    """The sentence around a position, found lazily: only the terminators next to a wanted position
    are looked at, so a long text with few interesting sentences costs little."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._last = (0, 0)

    def _real(self, match: re.Match[str]) -> bool:
        # A search bounded at `pos` lets `$` match there: only a real end of text counts.
        end, text = match.end(), self._text
        fake = match.group() != "\n" and end < len(text) and not text[end].isspace()
        return not fake and _is_boundary(text, match)

    def _last_terminator(self, before: int) -> int:
        # Looked for in widening windows: a terminator missing from the text would make every
        # search run back to its start.
        find, low = self._text.rfind, before
        while low > 0:
            low = max(0, low - _WINDOW)
            # One call per mark, spelt out: a generator over _TERMINATORS costs more than the finds.
            last = max(
                find(".", low, before),
                find("!", low, before),
                find("?", low, before),
                find("\u2026", low, before),
                find("\n", low, before),
            )
            if last >= 0:
                return last
        return -1

    def _start(self, position: int) -> int:
        text, before = self._text, position
        while True:
            last = self._last_terminator(before)
            if last < 0:
                return 0
            run = last
            while run > 0 and text[run] != "\n" and text[run - 1] in _TERMINATORS[:-1]:
                run -= 1
            match = _CANDIDATE_RE.match(text, run)
            if match is not None and match.end() <= position and self._real(match):
                return match.end()
            before = run

    def _end(self, position: int) -> int:
        match = _CANDIDATE_RE.search(self._text, position)
        while match is not None and not self._real(match):
            match = _CANDIDATE_RE.search(self._text, match.end())
        return match.end() if match is not None else len(self._text)

    def span_at(self, position: int) -> tuple[int, int]:
        """The trimmed (start, end) of the sentence holding character `position`."""
        if not self._last[0] <= position < self._last[1]:
            start, end = self._start(position), self._end(position)
            self._last = _trimmed(self._text, start, end) or (position, position + 1)
        return self._last
