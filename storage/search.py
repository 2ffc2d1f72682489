"""Full-text search over articles and evidence sentences: PostgreSQL matches a stored tsvector
column (GIN-indexed, migration 0009) with `websearch_to_tsquery`; SQLite matches FTS5 tables that
triggers keep in step. Both give ranked, paged hits with a snippet whose matches are marked by `HIT_START`
and `HIT_END` (escape the snippet, then turn the marks into highlighting)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    FromClause,
    Integer,
    Select,
    Subquery,
    Table,
    Text,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
)

from storage.models import articles, event_actors, events, feeds

HIT_START, HIT_END = "\x02", "\x03"
_FTS_TABLES = ("articles_fts", "events_fts")
SEARCH_COLUMN = "search_document"
_WORD_RE = re.compile(r"\w+")
_PG_SNIPPET = f"StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=30, MinWords=12"
_ENGLISH: ColumnElement[Any] = literal_column("'english'::regconfig")


def is_search_object(name: str | None) -> bool:
    """Whether a table or index is one of the search structures the models do not describe."""
    found = name or ""
    return found == SEARCH_COLUMN or found.startswith(("ix_search_", *_FTS_TABLES))


@dataclass(frozen=True)
class SearchFilters:
    """Narrow a search: feed, publication time range, and an actor or event type that the
    article's events (or the sentence's own event) must have."""

    feed_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    event_type: str | None = None


@dataclass(frozen=True)
class Hit:
    """An article, or (with `event_id`) an evidence sentence of one of its events."""

    article_id: int
    title: str
    outlet: str
    url: str
    published_at: datetime | None
    snippet: str
    event_id: int | None = None
    event_type: str | None = None
    modality: str | None = None


@dataclass(frozen=True)
class Results:
    hits: tuple[Hit, ...]
    total: int


def has_words(query: str) -> bool:
    return bool(_WORD_RE.search(query))


def _fts_query(query: str) -> str:
    """The user's words as an FTS5 query: every word must occur (quoted: no operator leaks)."""
    return " ".join(f'"{word}"' for word in _WORD_RE.findall(query))


def _sqlite_hits(table: str, column: int, query: str) -> Subquery:
    """Rowid, snippet and rank of the FTS5 rows matching `query` (`table` is ours, not input)."""
    statement = text(
        f"SELECT rowid AS id, snippet({table}, {column}, :start, :end, '…', 24) AS snippet, "
        f"rank AS score FROM {table} WHERE {table} MATCH :query"
    ).bindparams(start=HIT_START, end=HIT_END, query=_fts_query(query))
    return statement.columns(id=Integer, snippet=Text, score=Float).subquery("hits")


def _actor_condition(event_id: ColumnElement[Any], actor: str) -> ColumnElement[bool]:
    return exists().where(
        event_actors.c.event_id == event_id,
        or_(event_actors.c.actor_id == actor, event_actors.c.country == actor),
    )


def _article_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.feed_id is not None:
        conditions.append(articles.c.feed_id == filters.feed_id)
    if filters.since is not None:
        conditions.append(articles.c.published_at >= filters.since)
    if filters.until is not None:
        conditions.append(articles.c.published_at < filters.until)
    return conditions


def _event_conditions(event_id: ColumnElement[Any], filters: SearchFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.event_type:
        conditions.append(events.c.event_type == filters.event_type)
    if filters.actor:
        conditions.append(_actor_condition(event_id, filters.actor))
    return conditions


def _columns() -> list[Any]:
    return [
        articles.c.id.label("article_id"),
        articles.c.title,
        articles.c.url,
        articles.c.published_at,
        feeds.c.title.label("feed_title"),
        feeds.c.url.label("feed_url"),
    ]


def _pg_document(table: str) -> ColumnElement[Any]:
    """The stored tsvector column (migration 0009) that PostgreSQL searches and ranks by."""
    return literal_column(f"{table}.{SEARCH_COLUMN}")


def _run(
    conn: Connection, query: Select[Any], where: Sequence[Any], limit: int, offset: int
) -> Results:
    """A page of `query`, and the count of what `where` (its joins and conditions) selects;
    counted apart, so that no snippet is made for rows off the page."""
    froms = query.get_final_froms()
    total = conn.execute(select(func.count()).select_from(*froms).where(*where))
    rows = conn.execute(query.limit(limit).offset(offset))
    hits = tuple(
        Hit(
            article_id=row.article_id,
            title=row.title,
            outlet=row.feed_title or row.feed_url,
            url=row.url,
            published_at=row.published_at,
            snippet=row.snippet or "",
            event_id=getattr(row, "event_id", None),
            event_type=getattr(row, "event_type", None),
            modality=getattr(row, "modality", None),
        )
        for row in rows
    )
    return Results(hits, int(total.scalar() or 0))


@dataclass(frozen=True)
class _Searched:
    """What one kind of search reads: the table with its text column (and that column's place in
    its FTS5 table), the joins to the article and feed, and the columns shown."""

    table: Table
    text: ColumnElement[Any]
    fts_column: int
    base: FromClause
    columns: tuple[Any, ...]


def _search(
    conn: Connection,
    searched: _Searched,
    query: str,
    conditions: list[Any],
    limit: int,
    offset: int,
) -> Results:
    key = searched.table.c.id
    if conn.dialect.name == "postgresql":
        document = _pg_document(searched.table.name)
        wanted = func.websearch_to_tsquery(_ENGLISH, query)
        snippet = func.ts_headline(_ENGLISH, searched.text, wanted, _PG_SNIPPET)
        conditions = [*conditions, document.op("@@")(wanted)]
        statement = (
            select(*searched.columns, snippet.label("snippet"))
            .select_from(searched.base)
            .where(*conditions)
            .order_by(func.ts_rank(document, wanted).desc(), key.desc())
        )
    else:
        hits = _sqlite_hits(f"{searched.table.name}_fts", searched.fts_column, query)
        statement = (
            select(*searched.columns, hits.c.snippet)
            .select_from(searched.base.join(hits, hits.c.id == key))
            .where(*conditions)
            .order_by(hits.c.score, key.desc())
        )
    return _run(conn, statement, conditions, limit, offset)


def search_articles(
    conn: Connection, query: str, filters: SearchFilters, *, limit: int = 20, offset: int = 0
) -> Results:
    """Articles whose headline or text hold every word of `query`, the best match first."""
    if not has_words(query):
        return Results((), 0)
    conditions = _article_conditions(filters)
    if filters.actor or filters.event_type:
        inner = _event_conditions(events.c.id, filters)
        conditions.append(exists().where(events.c.article_id == articles.c.id, *inner))
    base = articles.join(feeds, feeds.c.id == articles.c.feed_id)
    searched = _Searched(articles, articles.c.text, 1, base, tuple(_columns()))
    return _search(conn, searched, query, conditions, limit, offset)


def search_evidence(
    conn: Connection, query: str, filters: SearchFilters, *, limit: int = 20, offset: int = 0
) -> Results:
    """Evidence sentences of events holding every word of `query`, the best match first."""
    if not has_words(query):
        return Results((), 0)
    conditions = _article_conditions(filters) + _event_conditions(events.c.id, filters)
    base = events.join(articles, articles.c.id == events.c.article_id).join(
        feeds, feeds.c.id == articles.c.feed_id
    )
    event_columns = (events.c.id.label("event_id"), events.c.event_type, events.c.modality)
    searched = _Searched(events, events.c.evidence, 0, base, (*_columns(), *event_columns))
    return _search(conn, searched, query, conditions, limit, offset)
