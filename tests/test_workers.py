"""Extraction and event detection in worker processes: how many workers run changes nothing that is
stored, a worker that dies is replaced without losing the entry, and the count follows the cores."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from extractors.events import load_watchlist
from extractors.feeds import FeedEntry
from flows.building import Built, Page
from flows.fetching import PendingEntry
from flows.pipeline import run_cycle
from flows.settings import Settings
from flows.workers import ArticleWorkers
from storage import events as event_store
from storage.db import make_engine
from tests.support.pages import (
    CSTO_FREEZE,
    HARBOUR_STORM,
    TROOPS_TO_RUSSIA,
    article_page,
)
from tests.support.webserver import LocalWebServer
from tests.test_ingest import add_feeds, make_settings, serve_stories, stored_articles

Stored = tuple[list[tuple[str, str, str, bool]], list[tuple[str, str, str]]]


def ingest_with(workers: int, database_url: str, feeds: list[str]) -> Stored:
    add_feeds(database_url, *feeds)
    summary = run_cycle(make_settings(database_url, workers=workers))
    assert summary.articles_stored == 3
    articles = sorted((a.url, a.title, a.text, a.extracted) for a in stored_articles(database_url))
    engine = make_engine(database_url)
    with engine.connect() as conn:
        events = sorted(
            (e.event_type, e.modality, ",".join(sorted(a.actor_id for a in e.actors)))
            for e in event_store.list_events(conn)
        )
    engine.dispose()
    return articles, events


def test_one_worker_or_three_store_the_same_articles_and_events(
    web: LocalWebServer, database_url: str, tmp_path: Path
) -> None:
    feeds = [
        serve_stories(web, "/gazette", [CSTO_FREEZE, HARBOUR_STORM]),
        serve_stories(web, "/ledger", [TROOPS_TO_RUSSIA]),
    ]
    one = ingest_with(1, database_url, feeds)
    three = ingest_with(3, f"sqlite:///{tmp_path / 'three.db'}", feeds)
    assert one == three
    articles, events = one
    assert all(extracted for *_, extracted in articles)
    assert any("Kursk" in text for _, _, text, _ in articles)
    assert any(kind == "troop_deployment" and "PRK" in actors for kind, _, actors in events)


def entry(slug: str) -> PendingEntry:
    url = f"http://127.0.0.1:9/{slug}.html"
    summary = "North Korea sent troops to Russia, officials said."
    return PendingEntry(1, FeedEntry(url, url, "Troops", summary, None, None), url)


def test_a_worker_that_dies_is_replaced_and_the_entry_still_gets_its_article() -> None:
    page = Page(article_page(TROOPS_TO_RUSSIA))

    async def build_twice(workers: ArticleWorkers) -> tuple[Built, Built]:
        first = await workers.build(entry("first"), page, today=date(2026, 11, 24))
        # The pool's own processes (a private attribute: nothing else names them).
        for pid in list(workers._pool._processes):
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.5)  # the pool notices the death before the next entry
        second = await workers.build(entry("second"), page, today=date(2026, 11, 24))
        return first, second

    with ArticleWorkers(1, load_watchlist()) as workers:
        first, second = asyncio.run(build_twice(workers))
    for built in (first, second):
        assert built.article.extracted
        assert "Kursk" in built.article.text
        assert any(event.type == "troop_deployment" for event in built.events)


def test_workers_follow_the_cores_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSWATCH_WORKERS", raising=False)
    assert Settings().workers == len(os.sched_getaffinity(0))
    monkeypatch.setenv("NEWSWATCH_WORKERS", "3")
    assert Settings().workers == 3
    monkeypatch.setenv("NEWSWATCH_WORKERS", "0")
    with pytest.raises(ValidationError, match="workers"):
        Settings()
