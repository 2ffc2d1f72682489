"""Length-preserving text normalisation for matching: lower case, Latin diacritics stripped, every
character that is not a letter or digit turned into a space, so offsets map 1:1 to the original text."""

from __future__ import annotations

import functools
import re
import unicodedata

_ASCII_TABLE = str.maketrans(
    {chr(cp): chr(cp).lower() if chr(cp).isalnum() else " " for cp in range(128)}
)
_ASCII_BYTES = bytes(ord(_ASCII_TABLE[code]) for code in range(128)) + bytes(range(128, 256))
# Frequent typographic characters, replaced with str.replace which is far faster than a callback.
_COMMON_PUNCTUATION = "\u2019\u2018\u201c\u201d\u2014\u2013\xa0"
# Every other non-ASCII character but the letters of non-Latin scripts (Greek to Mongolian, CJK,
# Hangul), which only need lower case: Latin letters lose their accents, the rest becomes a space.
_TO_FOLD_RE = re.compile("[^\x00-\x7f\u0370-\u1dbf\u3040-\ud7ff\uf900-\ufaff]")
_PUNCTUATION_RE = re.compile(r"[^\w ]|_")


@functools.cache
def _fold(char: str) -> str:
    if not char.isalnum():
        return " "
    base = unicodedata.normalize("NFKD", char)[0].lower()[:1]
    return base if base.isalnum() else char


def _fold_match(match: re.Match[str]) -> str:
    return _fold(match.group())


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters (Turkish dotted I) grow when lowered; keep their first code point.
    return "".join(char.lower()[0] for char in text)


def normalise(text: str) -> str:
    """Return `text` lowered, de-accented and with punctuation as spaces; same length as `text`."""
    if not text.isascii():
        for char in _COMMON_PUNCTUATION:
            if char in text:
                text = text.replace(char, " ")
        if not text.isascii():
            lowered = _TO_FOLD_RE.sub(_fold_match, _lower(text))
            if not lowered.isascii():
                return _PUNCTUATION_RE.sub(" ", lowered)
            text = lowered
    # Most text is ASCII once quotes and dashes are gone: one bytes pass lowers it and blanks
    # punctuation, several times faster than str.lower and str.translate.
    return text.encode("ascii").translate(_ASCII_BYTES).decode("ascii")


def normalise_phrase(text: str) -> str:
    """Normalise an alias or trigger phrase exactly as the same words are normalised inside a text."""
    return normalise(text).strip()
