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
# Non-ASCII characters that are neither letters nor digits; ASCII ones go in a faster bytes pass.
_OTHER_PUNCTUATION_RE = re.compile(r"[^\w\x00-\x7f]")
_ASCII_CODES = bytes(range(128))
# A text with only a few other non-ASCII characters (an ellipsis, accented names) has each replaced
# in turn, several times faster than a regex pass; with more, one pass over the text is cheaper.
_FEW_BYTES = 1024
_FEW_CHARACTERS = 16
# Lowers to a final or a medial sigma depending on its neighbours: only str.lower() gets it right.
_CAPITAL_SIGMA = "\u03a3"


@functools.cache
def _fold(char: str) -> str:
    if not char.isalnum():
        return " "
    base = unicodedata.normalize("NFKD", char)[0].lower()[:1]
    return base if base.isalnum() else char


def _fold_match(match: re.Match[str]) -> str:
    return _fold(match.group())


@functools.cache
def _normalised(char: str) -> str:
    """What one non-ASCII character becomes in `normalise`: lowered, then folded (Latin) or kept
    if a letter or digit (other scripts); a character lowered to ASCII is treated as ASCII."""
    lowered = char.lower()[0]
    if lowered.isascii():
        return lowered.translate(_ASCII_TABLE)
    if _TO_FOLD_RE.match(lowered):
        return _fold(lowered)
    return lowered if lowered.isalnum() else " "


def _replace_few(text: str) -> str | None:
    """`text` normalised by replacing its distinct non-ASCII characters one by one, or None when
    they are too many (or one needs the context of its neighbours)."""
    others = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_CODES)
    if len(others) > _FEW_BYTES:
        return None
    found = set(others.decode("utf-8", "surrogatepass"))
    replacements = {char: _normalised(char) for char in found}
    # A replacement that is itself replaced would depend on the order: leave such text to the regex.
    chained = any(new in found and replacements[new] != new for new in replacements.values())
    if len(found) > _FEW_CHARACTERS or _CAPITAL_SIGMA in found or chained:
        return None
    for char, new in replacements.items():
        text = text.replace(char, new)
    return _ascii_blanked(text)


def _ascii_blanked(text: str) -> str:
    """`text` with its ASCII characters lowered or blanked like the rest, through UTF-8: the bytes
    of other characters are all >= 128, which the table leaves as they are."""
    return text.encode().translate(_ASCII_BYTES).decode()


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
            replaced = _replace_few(text)
            if replaced is not None:
                return replaced
            lowered = _TO_FOLD_RE.sub(_fold_match, _lower(text))
            if not lowered.isascii():
                return _ascii_blanked(_OTHER_PUNCTUATION_RE.sub(" ", lowered))
            text = lowered
    # Most text is ASCII once quotes and dashes are gone: one bytes pass lowers it and blanks
    # punctuation, several times faster than str.lower and str.translate.
    return text.encode("ascii").translate(_ASCII_BYTES).decode("ascii")


def normalise_phrase(text: str) -> str:
    """Normalise an alias or trigger phrase exactly as the same words are normalised inside a text."""
    return normalise(text).strip()
