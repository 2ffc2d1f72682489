"""Shadow replay: what a changed watchlist would find in the stored articles of the last days,
against the one in force, before anyone loads it. Events are compared one by one; incidents as
kinds (type, mark and actors), which is how reports of one thing group."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from extractors.events import Event, Watchlist, detect_events
from storage.events import document
from storage.models import articles

# Replaying runs the matcher twice per article: bounded so that a page answers in seconds.
MAX_ARTICLES = 3000


@dataclass(frozen=True, order=True)
class Found:
    """An event a watchlist finds in an article."""

    article_id: int
    title: str
    event_type: str
    mark: str
    modality: str
    actors: str
    evidence: str


@dataclass(frozen=True)
class ReplayDiff:
    articles: int
    added: tuple[Found, ...]
    removed: tuple[Found, ...]
    incidents_added: tuple[tuple[str, str, str], ...]
    incidents_removed: tuple[tuple[str, str, str], ...]
    truncated: bool


def _found(article_id: int, title: str, event: Event) -> Found:
    actors = " ".join(sorted(f"{a.country or a.id}:{a.role}" for a in event.actors))
    return Found(
        article_id, title, event.type, event.mark or "", event.modality, actors, event.evidence
    )


def _kinds(found: Iterable[Found], alerting: set[Found]) -> set[tuple[str, str, str]]:
    """(type, mark, actor ids) of the events that would start or join an incident."""
    return {
        (f.event_type, f.mark, ",".join(sorted({a.split(":")[0] for a in f.actors.split()})))
        for f in found
        if f in alerting
    }


def replay(
    conn: Connection, in_force: Watchlist, changed: Watchlist, *, since: datetime
) -> ReplayDiff:
    """Run both watchlists over the articles published (or fetched) since `since`."""
    query = (
        select(articles.c.id, articles.c.title, articles.c.text, articles.c.published_at)
        .where(articles.c.fetched_at >= since)
        .order_by(articles.c.id.desc())
        .limit(MAX_ARTICLES + 1)
    )
    rows = list(conn.execute(query))
    truncated = len(rows) > MAX_ARTICLES
    before: set[Found] = set()
    after: set[Found] = set()
    alerting: set[Found] = set()
    for row in rows[:MAX_ARTICLES]:
        text = document(row.title, row.text)
        on = row.published_at.date() if row.published_at else None
        for found, watchlist in ((before, in_force), (after, changed)):
            for event in detect_events(text, watchlist, on=on):
                item = _found(row.id, row.title, event)
                found.add(item)
                if not event.background:
                    alerting.add(item)
    return ReplayDiff(
        articles=min(len(rows), MAX_ARTICLES),
        added=tuple(sorted(after - before)),
        removed=tuple(sorted(before - after)),
        incidents_added=tuple(sorted(_kinds(after, alerting) - _kinds(before, alerting))),
        incidents_removed=tuple(sorted(_kinds(before, alerting) - _kinds(after, alerting))),
        truncated=truncated,
    )
