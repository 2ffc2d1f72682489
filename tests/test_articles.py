"""Article extraction: the story without the page around it, its metadata, and the feed fallback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from extractors.articles import ExtractedArticle, detect_language, extract_article

PAGES = Path(__file__).parent / "fixtures" / "pages"
FEED_PUBLISHED = datetime(2024, 4, 11, 7, 42, tzinfo=UTC)
URL = "https://news.example/world/2024/story"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_story_text_is_extracted_without_nav_ads_related_links_or_comments() -> None:
    article = extract_article(page("news_story.html"), url=URL)

    assert article.extracted
    assert "called in the French ambassador on Tuesday morning" in article.text
    assert "third such summons this year" in article.text
    for furniture in (
        "Subscribe for unlimited reading",
        "Holiday villas",
        "Sponsored",
        "Thousands rally in Tbilisi",
        "Related stories",
        "Nothing will come of this",
        "steppe_watcher",
        "All rights reserved",
    ):
        assert furniture not in article.text


def test_title_author_date_and_language_come_from_the_page() -> None:
    article = extract_article(page("news_story.html"), url=URL)

    assert article.title == "Baku summons Paris envoy over parliament vote"
    assert article.author == "Leyla Hasanova"
    assert article.published == datetime(2024, 3, 5, 6, 15, tzinfo=UTC)
    assert article.language == "en"


def test_short_wire_story_counts_as_an_article() -> None:
    article = extract_article(
        page("short_wire.html"), url=URL, fallback_text="Teaser from the feed."
    )

    assert article.extracted
    assert "Traders said queues had already formed" in article.text


def test_page_date_without_time_keeps_the_feed_timestamp() -> None:
    with_feed_date = extract_article(
        page("short_wire.html"), url=URL, fallback_published=FEED_PUBLISHED
    )
    without = extract_article(page("short_wire.html"), url=URL)

    assert with_feed_date.published == FEED_PUBLISHED
    assert without.published == datetime(2024, 4, 11, tzinfo=UTC)


def test_language_is_detected_from_the_text_when_the_page_declares_none() -> None:
    assert extract_article(page("german_story.html"), url=URL).language == "de"


def test_page_without_an_article_falls_back_to_the_feed_summary() -> None:
    article = extract_article(
        page("section_front.html"),
        url=URL,
        fallback_title="Baku summons Paris envoy",
        fallback_text="The foreign ministry handed the French ambassador a protest note.",
        fallback_published=FEED_PUBLISHED,
    )

    assert article == ExtractedArticle(
        title="Baku summons Paris envoy",
        text="The foreign ministry handed the French ambassador a protest note.",
        author=None,
        published=FEED_PUBLISHED,
        language="en",
        extracted=False,
    )


@pytest.mark.parametrize(
    "html",
    [
        b"",
        "",
        bytes(range(256)) * 40,
        b"\x89PNG\r\n\x1a\n" + bytes(200),
        b"<div>" * 50_000,
    ],
    ids=["empty bytes", "empty text", "binary", "png", "deeply nested"],
)
def test_unusable_page_falls_back_without_raising(html: bytes | str) -> None:
    article = extract_article(
        html, url="https://news.example/x", fallback_title="Title", fallback_text="Summary."
    )

    assert not article.extracted
    assert (article.title, article.text) == ("Title", "Summary.")


def test_language_of_too_short_text_is_unknown() -> None:
    assert detect_language("") is None
    assert detect_language("OK 12 3") is None
    assert detect_language("Die Regierung kündigte neue Gespräche an.") == "de"
