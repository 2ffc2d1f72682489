"""Article extraction: a news page's HTML to its story text and metadata, with trafilatura.

When extraction fails the feed entry's title, summary and date stand in, so no entry is lost.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import py3langid
from trafilatura import bare_extraction
from trafilatura.settings import Document

logger = logging.getLogger(__name__)

# Shorter output is a teaser, a paywall notice or an error page; a 3-paragraph wire story is longer.
MIN_ARTICLE_CHARS = 200

# Below this many letters py3langid guesses at random; the first few thousand characters settle it.
_MIN_LANGUAGE_LETTERS = 20
_LANGUAGE_SAMPLE_CHARS = 3000

# The <html> tag opens the page; a bounded look keeps a huge page from being scanned twice.
_HTML_LANG_WINDOW = 65536
_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([a-z]{2})(?![a-z])", re.IGNORECASE)

# A timestamp in the page metadata beats the bare day in the URL. No text-pattern search: it is slow
# and picks up the dates of other events.
_DATE_PARAMS = {
    "original_date": True,
    "extensive_search": False,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
    "deferred_url_extractor": True,
}


@dataclass(frozen=True)
class ExtractedArticle:
    """An article's text and metadata. `extracted` is False when the feed summary stands in."""

    title: str | None
    text: str
    author: str | None
    published: datetime | None
    language: str | None
    extracted: bool


def extract_article(
    html: bytes | str,
    *,
    url: str,
    fallback_title: str = "",
    fallback_text: str = "",
    fallback_published: datetime | None = None,
) -> ExtractedArticle:
    """Extract the story from a fetched page; never raises, whatever the bytes.

    The fallbacks come from the feed entry and are used for whatever the page does not give.
    """
    document = _run_trafilatura(html, url)
    # The text is asked first: some sites declare one <html lang> for pages in every language.
    declared_language = _declared_language(html)
    if document is None or len(document.text or "") < MIN_ARTICLE_CHARS:
        return ExtractedArticle(
            title=fallback_title or None,
            text=fallback_text,
            author=None,
            published=fallback_published,
            language=detect_language(fallback_text) or declared_language,
            extracted=False,
        )
    text = document.text or ""
    return ExtractedArticle(
        title=document.title or fallback_title or None,
        text=text,
        author=document.author or None,
        published=_published(document.date, fallback_published),
        language=detect_language(text) or declared_language,
        extracted=True,
    )


def warm_up() -> None:
    """Load the models that the first extraction would load (py3langid's takes about a second)."""
    extract_article(b"<html><body><p>warm</p></body></html>", url="http://localhost/")
    detect_language("The models load on first use, so this sentence loads them now.")


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short to tell."""
    sample = text[:_LANGUAGE_SAMPLE_CHARS]
    if sum(char.isalpha() for char in sample) < _MIN_LANGUAGE_LETTERS:
        return None
    language, _score = py3langid.classify(sample)
    return str(language)


def _run_trafilatura(html: bytes | str, url: str) -> Document | None:
    try:
        result = bare_extraction(
            html,
            url=url,
            fast=True,
            with_metadata=True,
            include_comments=False,
            date_extraction_params=_DATE_PARAMS,
        )
    # Hostile or broken pages make lxml and trafilatura raise all kinds of errors; one bad page
    # must cost its article text, never the feed run.
    except Exception:
        logger.warning("article extraction crashed on %s", url, exc_info=True)
        return None
    return result if isinstance(result, Document) else None


def _declared_language(html: bytes | str) -> str | None:
    head = html[:_HTML_LANG_WINDOW]
    if isinstance(head, str):
        head = head.encode("utf-8", "replace")
    match = _HTML_LANG.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def _published(found: str | None, fallback: datetime | None) -> datetime | None:
    try:
        published = datetime.fromisoformat(found) if found else None
    except ValueError:
        published = None
    if published is None:
        return fallback
    if published.tzinfo is None:
        # The page gave no zone (often no time either): the feed's timestamp is sharper.
        return fallback or published.replace(tzinfo=UTC)
    return published.astimezone(UTC)
