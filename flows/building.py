"""Article building: an entry's fetched page (the feed summary as fallback) to an article signed for
dedup, with the events found in its headline and text. CPU-bound: it runs in the worker processes of
flows/workers.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from extractors.articles import extract_article
from extractors.dedup import content_hash, simhash
from extractors.errors import FetchError
from extractors.events import Event, Watchlist, detect_events
from extractors.http import FetchResult
from flows.fetching import PendingEntry
from storage import articles as article_store
from storage import events as event_store


@dataclass(frozen=True)
class Page:
    """What fetching an entry's page gave, in a form that pickles: the body, or why there is none."""

    body: bytes
    error: str | None = None

    @classmethod
    def of(cls, fetched: FetchResult | FetchError) -> Page:
        if isinstance(fetched, FetchError):
            return cls(b"", f"page not fetched: {fetched}")
        return cls(fetched.body)


@dataclass(frozen=True)
class Built:
    """An article ready to store and the events detected in it."""

    article: article_store.NewArticle
    events: tuple[Event, ...]


def build_article(pending: PendingEntry, page: Page, watchlist: Watchlist, *, today: date) -> Built:
    """Extract the page (the feed summary stands in when it yields no article) and detect the events
    of its headline and text; people's offices are taken on the publication date, else `today`."""
    article = _article_from(pending, page)
    on = article.published_at.date() if article.published_at else today
    document = event_store.document(article.title, article.text)
    return Built(article, tuple(detect_events(document, watchlist, on=on)))


def _article_from(pending: PendingEntry, page: Page) -> article_store.NewArticle:
    entry = pending.entry
    extracted = extract_article(
        page.body,
        url=entry.url,
        fallback_title=entry.title,
        fallback_text=entry.summary,
        fallback_published=entry.published,
    )
    error = page.error
    if not extracted.extracted and error is None:
        error = "no article text found in the page; feed summary kept"
    return article_store.NewArticle(
        feed_id=pending.feed_id,
        guid=entry.guid,
        url=entry.url,
        canonical_url=pending.canonical_url,
        title=extracted.title or entry.title,
        author=entry.author or extracted.author,
        text=extracted.text,
        summary=entry.summary,
        language=extracted.language,
        published_at=entry.published or extracted.published,
        simhash=simhash(extracted.text),
        content_hash=content_hash(extracted.text),
        extracted=extracted.extracted,
        extraction_error=error,
    )
