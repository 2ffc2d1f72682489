"""Headline and lede furniture, which names no actor and is cut from the sentence: outlet labels
before a headline ("Live:", "Analysis:"), outlet credits after it ("- Reuters", "| DW") and wire
datelines before a lede ("MOSCOW (Reuters) -", whose capital would otherwise read as an actor)."""

from __future__ import annotations

import re

# fmt: off
_LABELS = (
    "live", "live updates", "live blog", "latest", "analysis", "explainer", "exclusive", "opinion",
    "comment", "editorial", "watch", "video", "audio", "podcast", "breaking", "breaking news",
    "update", "updated", "factbox", "fact check", "fact-check", "interview", "in pictures",
    "photos", "timeline", "q&a", "insight", "focus", "feature", "newsletter", "special report",
    "first on", "scoop", "the big picture", "view", "briefing", "morning briefing", "in brief",
    "news wrap", "what we know", "europe", "world", "world news", "asia", "africa", "americas",
    "middle east",
)
_MONTHS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
)
# fmt: on
# "Live:", "Analysis |", and news agencies' bracketed tags: "(LEAD)", "(2nd LD)", "(URGENT)".
_LABEL_RE = re.compile(
    r"(?:(?:" + "|".join(re.escape(label) for label in _LABELS) + r")\s*[:|]"
    r"|\((?:lead|urgent|update|\d+(?:st|nd|rd|th) ld|recast|corrected)\))\s+",
    re.IGNORECASE,
)
_DASH = r"[-\u2013\u2014]+"
# A news agency or paper in brackets: "(Reuters)", "(AP)", "(Premium Times)", "(Reuters/AFP)".
_AGENCY = r"\([A-Za-z][\w.&'\-]*(?:[\s/,]{1,2}[A-Z][\w.&'\-]*){0,3}\)"
_DATE = r"(?:" + "|".join(_MONTHS) + r")[a-z]*\.?\s\d{1,2}(?:,\s\d{4})?"
_CITY = r"[A-Z][A-Z.'\-]+(?:[\s/][A-Z][A-Z.'\-]+){0,3}"
_REGION = r"(?:,\s[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+)?)?"
# "MOSCOW (Reuters) -", "KYIV, Ukraine, Dec 2 (AP) —", "BRUSSELS —", "Nov 30 (Reuters) -".
_DATELINE_RE = re.compile(
    rf"(?:{_CITY}{_REGION}(?:,?\s{_DATE})?(?:\s{_AGENCY})?|{_DATE}\s{_AGENCY}|{_AGENCY})"
    rf"\s{_DASH}\s*"
)
# "... | DW", "... - BBC News", "... — France 24": a short name after a dash or bar ends a headline.
_CREDIT_RE = re.compile(
    rf"\s(?:\||{_DASH})\s(?:the\s)?[A-Z][\w.&'\u2019]*(?:\s[A-Z0-9][\w.&'\u2019]*){{0,3}}\s*$"
)
_CLOSERS = "\"'\u201d\u2019)]"
_ENDS_STATEMENT = ".!\u2026"


def core_span(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The sentence at `span` without its outlet label, dateline and outlet credit."""
    start, end = span
    # Most sentences are body text without a colon or bar: two finds spare the label regex.
    labelled = text.find(":", start, end) >= 0 or text.find("|", start, end) >= 0
    for furniture in (_LABEL_RE, _DATELINE_RE) if labelled else (_DATELINE_RE,):
        found = furniture.match(text, start, end)
        if found is not None and found.end() < end:
            start = found.end()
    if not is_statement(text[start:end]):
        credit = _CREDIT_RE.search(text, start, end)
        if credit is not None and credit.start() > start:
            end = credit.start()
    return start, end


def is_statement(sentence: str) -> bool:
    """Ends in a full stop (or "!"): body text, not a headline."""
    return sentence.rstrip(_CLOSERS)[-1:] in tuple(_ENDS_STATEMENT)


def is_question(sentence: str) -> bool:
    return sentence.rstrip(_CLOSERS).endswith("?")
