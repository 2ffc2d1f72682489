"""The Prefect ingest flow, run once under a temporary Prefect server."""

from __future__ import annotations

import pytest

from flows.ingest import ingest_flow
from tests.support.pages import CSTO_FREEZE, HARBOUR_STORM
from tests.support.webserver import LocalWebServer
from tests.test_ingest import add_feeds, serve_stories, stored_articles


def test_ingest_flow_stores_the_articles_of_due_feeds(
    prefect_harness: None,
    web: LocalWebServer,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_feeds(sqlite_url, serve_stories(web, "/gazette", [CSTO_FREEZE, HARBOUR_STORM]))
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("NEWSWATCH_ALLOWED_PRIVATE_NETWORKS", "127.0.0.0/8")

    summary = ingest_flow()

    assert summary["articles_stored"] == 2 and summary["feeds_failed"] == 0
    assert {a.title for a in stored_articles(sqlite_url)} == {
        CSTO_FREEZE.title,
        HARBOUR_STORM.title,
    }
