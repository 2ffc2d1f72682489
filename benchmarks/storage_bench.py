"""Cost of storing articles and their events, per article, in batches as the ingest flow does."""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from storage.articles import NewArticle, StoredArticle, store_articles
from storage.db import analyze, chunked, make_engine, upgrade
from storage.events import EventActor, NewEvent, store_events
from storage.feeds import add_feed

BATCH_SIZE = 200
EVENTS_PER_ARTICLE = 3
ACTORS = (EventActor("PRK", "North Korea", "source"), EventActor("RUS", "Russia", "target"))
_WORDS = [
    "troops",
    "minister",
    "summoned",
    "ambassador",
    "sanctions",
    "border",
    "talks",
    "treaty",
    "drone",
    "strike",
]


def _articles(feed_id: int, run_id: str, n: int, rng: random.Random) -> list[NewArticle]:
    """Synthetic articles of ~300 words; every tenth is a near-copy of the one before."""
    articles: list[NewArticle] = []
    simhash = 0
    for i in range(n):
        text = " ".join(rng.choices(_WORDS, k=300))
        simhash = simhash ^ 0b11 if i % 10 == 9 else rng.getrandbits(64)
        articles.append(
            NewArticle(
                feed_id=feed_id,
                guid=f"{run_id}-{i}",
                url=f"https://bench.invalid/{run_id}/{i}?utm_source=rss",
                canonical_url=f"https://bench.invalid/{run_id}/{i}",
                title=f"Article {i}",
                author="Bench",
                text=text,
                summary=text[:200],
                language="en",
                published_at=datetime.now(UTC) - timedelta(minutes=i),
                simhash=simhash,
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
                extracted=True,
                extraction_error=None,
            )
        )
    return articles


def _events(stored: list[StoredArticle]) -> list[NewEvent]:
    return [
        NewEvent(
            article_id=article.id,
            event_type="troop_deployment",
            modality="asserted",
            confidence=0.9,
            evidence=article.text[k * 40 : k * 40 + 40],
            span_start=k * 40,
            span_end=k * 40 + 40,
            watchlist_version="bench",
            actors=ACTORS,
        )
        for article in stored
        for k in range(EVENTS_PER_ARTICLE)
    ]


def _store(engine: Engine, articles: list[NewArticle]) -> dict[str, float]:
    """Seconds spent storing `articles` in batches, one transaction each."""
    spent = {"articles_ms": 0.0, "events_ms": 0.0, "total_ms": 0.0}
    for batch in chunked(articles, BATCH_SIZE):
        started = time.perf_counter()
        with engine.begin() as conn:
            stored = store_articles(conn, batch, now=datetime.now(UTC))
            articles_done = time.perf_counter()
            store_events(conn, _events(stored))
            spent["events_ms"] += time.perf_counter() - articles_done
        spent["articles_ms"] += articles_done - started
        spent["total_ms"] += time.perf_counter() - started
    return spent


def run(database_url: str, n: int = 2000) -> dict[str, float]:
    """Store `n` synthetic articles with events into `database_url` (migrated here if needed).

    Returns milliseconds per article: `articles_ms` in store_articles, `events_ms` in
    store_events, `total_ms` for whole batches including their commits.
    """
    upgrade(database_url)
    engine = make_engine(database_url)
    run_id = uuid.uuid4().hex[:12]  # several runs can share one database
    rng = random.Random(run_id)
    try:
        with engine.begin() as conn:
            feed_id = add_feed(conn, f"https://bench.invalid/{run_id}", now=datetime.now(UTC)).id
        # A database in use has recent articles to compare with, and planner statistics.
        _store(engine, _articles(feed_id, f"{run_id}-earlier", n, rng))
        with engine.begin() as conn:
            analyze(conn)
        spent = _store(engine, _articles(feed_id, run_id, n, rng))
    finally:
        engine.dispose()
    return {"articles": float(n)} | {key: s * 1000 / max(n, 1) for key, s in spent.items()}
