"""Articles: which entries are already known, storing new ones in batches, reading them back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, func, select, update

from storage.db import chunked, insert_many, one_of
from storage.models import articles
from storage.stories import (
    BAND_COLUMNS,
    Fingerprint,
    assign_stories,
    settle_story_counts,
    simhash_bands,
    to_signed64,
    to_unsigned64,
)

DEFAULT_STORY_WINDOW = timedelta(days=7)
DEFAULT_MAX_DISTANCE = 3


@dataclass(frozen=True)
class NewArticle:
    """An article to store. `simhash` is the 64-bit fingerprint (signed or unsigned alike);
    `extracted` is False when `text` is the feed summary because extraction failed."""

    feed_id: int
    guid: str
    url: str
    canonical_url: str
    title: str
    author: str | None
    text: str
    summary: str | None
    language: str | None
    published_at: datetime | None
    simhash: int
    content_hash: str
    extracted: bool
    extraction_error: str | None


@dataclass(frozen=True)
class ArticleRecord:
    """A stored article; `simhash` is unsigned 64-bit."""

    id: int
    feed_id: int
    guid: str
    url: str
    canonical_url: str
    title: str
    author: str | None
    text: str
    summary: str | None
    language: str | None
    published_at: datetime | None
    fetched_at: datetime
    content_hash: str
    simhash: int
    story_id: int
    extracted: bool
    extraction_error: str | None


@dataclass(frozen=True)
class StoredArticle(ArticleRecord):
    """An article that `store_articles` inserted. `new_story` when it is its story's first article,
    False when it joined the story of an earlier (near-)copy."""

    new_story: bool


_NEW_ARTICLE_FIELDS = tuple(f.name for f in fields(NewArticle))
_RECORD_COLUMNS = [c for c in articles.c if c not in BAND_COLUMNS]


def _record(row: Row[Any]) -> ArticleRecord:
    values = dict(row._mapping)
    values["simhash"] = to_unsigned64(values["simhash"])
    return ArticleRecord(**values)


def known_guids(conn: Connection, feed_id: int, guids: Iterable[str]) -> set[str]:
    """The `guids` already stored for `feed_id`."""
    known: set[str] = set()
    for batch in chunked(set(guids)):
        query = select(articles.c.guid).where(
            articles.c.feed_id == feed_id, one_of(conn, articles.c.guid, batch)
        )
        known.update(conn.execute(query).scalars())
    return known


def known_canonical_urls(conn: Connection, urls: Iterable[str]) -> set[str]:
    """The canonical `urls` already stored, from any feed."""
    known: set[str] = set()
    for batch in chunked(set(urls)):
        query = select(articles.c.canonical_url).where(
            one_of(conn, articles.c.canonical_url, batch)
        )
        known.update(conn.execute(query).scalars())
    return known


def _known_keys(conn: Connection, batch: Sequence[NewArticle]) -> set[tuple[int, str]]:
    """The (feed_id, guid) pairs of `batch` already stored, in one query whatever the feeds."""
    query = select(articles.c.feed_id, articles.c.guid).where(
        one_of(conn, articles.c.feed_id, {a.feed_id for a in batch}),
        one_of(conn, articles.c.guid, {a.guid for a in batch}),
    )
    wanted = {(a.feed_id, a.guid) for a in batch}
    return {(feed_id, guid) for feed_id, guid in conn.execute(query)} & wanted


def _unknown(conn: Connection, batch: Sequence[NewArticle]) -> list[NewArticle]:
    """`batch` without the articles already stored, and without repeats inside the batch."""
    unknown = []
    keys: set[tuple[int, str]] = set()
    urls: set[str] = set()
    for part in chunked(batch):
        keys |= _known_keys(conn, part)
        urls |= known_canonical_urls(conn, (a.canonical_url for a in part))
    for article in batch:
        key = (article.feed_id, article.guid)
        if key not in keys and article.canonical_url not in urls:
            unknown.append(article)
            keys.add(key)
            urls.add(article.canonical_url)
    return unknown


def _values(article: NewArticle) -> dict[str, Any]:
    # Not dataclasses.asdict: its deep copies cost more than the insert itself.
    return {name: getattr(article, name) for name in _NEW_ARTICLE_FIELDS}


def _row(article: NewArticle, story_id: int, now: datetime) -> dict[str, Any]:
    bands = simhash_bands(article.simhash)
    return {
        **_values(article),
        "simhash": to_signed64(article.simhash),
        **{column.name: band for column, band in zip(BAND_COLUMNS, bands, strict=True)},
        "fetched_at": now,
        "story_id": story_id,
    }


def store_articles(
    conn: Connection,
    batch: Sequence[NewArticle],
    *,
    now: datetime,
    max_distance: int = DEFAULT_MAX_DISTANCE,
    story_window: timedelta = DEFAULT_STORY_WINDOW,
) -> list[StoredArticle]:
    """Store the articles of `batch` not yet known by feed + guid or by canonical URL.

    Each joins the story of an article fetched within `story_window` (earlier ones of this batch
    included) with the same content hash or a simhash within `max_distance` bits, or starts a
    story. Returns the articles inserted, in batch order; storing a batch again returns [].
    """
    unknown = _unknown(conn, batch)
    if not unknown:
        return []
    fingerprints = [
        Fingerprint(a.content_hash, to_unsigned64(a.simhash), a.title, bool(a.text.strip()))
        for a in unknown
    ]
    story_ids, created = assign_stories(
        conn, fingerprints, now=now, since=now - story_window, max_distance=max_distance
    )
    rows = [_row(a, story_id, now) for a, story_id in zip(unknown, story_ids, strict=True)]
    # A concurrent writer may have stored some of them since _unknown: those rows are skipped.
    returning = (articles.c.id, articles.c.feed_id, articles.c.guid)
    inserted = insert_many(conn, articles, rows, ignore_conflicts=True, returning=returning)
    ids = {(feed_id, guid): id_ for id_, feed_id, guid in inserted}
    stored: list[StoredArticle] = []
    unstarted = set(created)
    for article, story_id in zip(unknown, story_ids, strict=True):
        article_id = ids.get((article.feed_id, article.guid))
        if article_id is None:
            continue
        stored.append(
            StoredArticle(
                **{**_values(article), "simhash": to_unsigned64(article.simhash)},
                id=article_id,
                fetched_at=now,
                story_id=story_id,
                new_story=story_id in unstarted,
            )
        )
        unstarted.discard(story_id)
    settle_story_counts(conn, story_ids, [s.story_id for s in stored], created, now=now)
    return stored


def get_article(conn: Connection, article_id: int) -> ArticleRecord | None:
    row = conn.execute(select(*_RECORD_COLUMNS).where(articles.c.id == article_id)).first()
    return None if row is None else _record(row)


def _listed(since: datetime | None, feed_id: int | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if since is not None:
        conditions.append(articles.c.fetched_at >= since)
    if feed_id is not None:
        conditions.append(articles.c.feed_id == feed_id)
    return conditions


def list_articles(
    conn: Connection,
    *,
    since: datetime | None = None,
    feed_id: int | None = None,
    limit: int = 100,
) -> list[ArticleRecord]:
    """Articles fetched at or after `since` (from `feed_id`), the most recently fetched first."""
    query = (
        select(*_RECORD_COLUMNS)
        .where(*_listed(since, feed_id))
        .order_by(articles.c.fetched_at.desc(), articles.c.id.desc())
        .limit(limit)
    )
    return [_record(row) for row in conn.execute(query)]


def count_articles(
    conn: Connection, *, since: datetime | None = None, feed_id: int | None = None
) -> int:
    """How many articles `list_articles` would list with no limit."""
    query = select(func.count()).select_from(articles).where(*_listed(since, feed_id))
    return int(conn.execute(query).scalar_one())


def forget_texts(conn: Connection, *, before: datetime) -> int:
    """Empty the text of the articles fetched before `before` (title, URL, summary, story and the
    events' evidence sentences stay); returns how many were emptied."""
    statement = (
        update(articles)
        .where(articles.c.fetched_at < before, articles.c.text != "")
        .values(text="")
    )
    return conn.execute(statement).rowcount
