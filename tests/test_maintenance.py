"""Maintenance: old article texts are emptied (what they reported stays), old run records go, and
the feeds that need a look are listed; the Prefect flow does the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from flows.maintaining import run_maintenance
from flows.maintenance import maintenance_flow
from flows.settings import Settings
from storage.db import make_engine, upgrade
from storage.feeds import record_failure
from storage.models import articles, events, runs
from storage.runs import record_run
from tests.alerting_data import Ev, publish

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def store_history(engine: Engine) -> None:
    with engine.begin() as conn:
        publish(conn, "old", "old-report", [Ev()], now=NOW - timedelta(days=200))
        publish(conn, "new", "new-report", [Ev()], now=NOW - timedelta(days=2))
        record_failure(conn, 1, now=NOW, error="HTTP 410 Gone", retry_after_s=None)
        for age in (40, 1):
            moment = NOW - timedelta(days=age)
            record_run(
                conn, flow="ingest", started_at=moment, finished_at=moment, succeeded=True,
                detail=f"{age} days ago",
            )  # fmt: skip


def test_maintenance_empties_old_texts_and_keeps_what_they_reported(
    engine: Engine, database_url: str
) -> None:
    store_history(engine)

    summary = run_maintenance(Settings(database_url=database_url), now=NOW)

    with engine.connect() as conn:
        texts = {r.guid: r.text for r in conn.execute(select(articles.c.guid, articles.c.text))}
        evidence = list(conn.execute(select(events.c.evidence)).scalars())
        kept_runs = [
            (r.flow, r.detail)
            for r in conn.execute(select(runs.c.flow, runs.c.detail).order_by(runs.c.id))
        ]
    assert texts == {"old-report": "", "new-report": "The article new-report."}
    assert len(evidence) == 2 and all(evidence)
    assert (summary.texts_emptied, summary.runs_forgotten) == (1, 1)
    assert [(f.outlet, f.problem) for f in summary.feeds_to_check] == [("Old", "failing")]
    assert kept_runs[0] == ("ingest", "1 days ago")
    assert kept_runs[1][0] == "maintenance" and "1 article texts emptied" in kept_runs[1][1]


def test_the_maintenance_flow_runs_the_same_pass(
    prefect_harness: None, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    store_history(engine)
    engine.dispose()
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", sqlite_url)

    summary = maintenance_flow()

    assert summary["texts_emptied"] == 1
