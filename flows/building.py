"""Article building stage: extract each page (the feed summary as fallback) and sign it for dedup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from extractors.articles import extract_article
from extractors.dedup import content_hash, simhash
from extractors.errors import DestinationRefused, FetchError
from extractors.http import FetchResult
from flows.fetching import FeedUpdate, PendingEntry
from storage import articles as article_store


@dataclass(frozen=True)
class Candidates:
    """Articles ready to store, and the feed updates that the page stage changed."""

    articles: tuple[article_store.NewArticle, ...]
    updates: tuple[FeedUpdate, ...]


def build_articles(
    entries: Sequence[PendingEntry],
    pages: Sequence[FetchResult | FetchError],
    updates: Sequence[FeedUpdate],
) -> Candidates:
    """Extract each page (the feed summary is the fallback) and sign it for dedup.

    An entry whose link leads to a refused destination is dropped and marks its feed failing: a feed
    that points at private addresses is misconfigured or hostile.
    """
    articles: list[article_store.NewArticle] = []
    refused: dict[int, str] = {}
    for pending, page in zip(entries, pages, strict=True):
        if isinstance(page, DestinationRefused):
            refused.setdefault(pending.feed_id, f"entry link refused: {page}")
            continue
        articles.append(_article_from(pending, page))
    return Candidates(tuple(articles), tuple(_mark_refused(u, refused) for u in updates))


def _article_from(
    pending: PendingEntry, page: FetchResult | FetchError
) -> article_store.NewArticle:
    entry = pending.entry
    if isinstance(page, FetchError):
        html, error = b"", f"page not fetched: {page}"
    else:
        html, error = page.body, None
    extracted = extract_article(
        html,
        url=entry.url,
        fallback_title=entry.title,
        fallback_text=entry.summary,
        fallback_published=entry.published,
    )
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


def _mark_refused(update: FeedUpdate, refused: dict[int, str]) -> FeedUpdate:
    reason = refused.get(update.feed_id)
    if reason is None:
        return update
    return replace(update, outcome="failed", error=reason)
