"""`newswatch status`: what an operator sees, and the exit code a health check reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from alerts.notify import NotifyConfig, notify_pass
from alerts.process import process_events
from extractors.http import HttpPolicy
from newswatch.cli import app
from storage.feeds import add_feed, record_failure
from storage.runs import record_run
from tests.alerting_data import Ev, publish, subscriptions

NOW = datetime.now(UTC)
DESK = """\
subscriptions:
  - name: desk
    channels:
      - email: [desk@example.org]
"""


def status(database_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, Any]]:
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["status", "--json"])
    return result.exit_code, json.loads(result.output)


def test_status_reports_a_failing_feed_a_silent_feed_and_a_dead_delivery(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine.begin() as conn:
        broken = add_feed(conn, "https://broken.example/rss", "Broken", now=NOW)
        record_failure(
            conn, broken.id, now=NOW, error="HTTP 503 Service Unavailable", retry_after_s=None
        )
        for hours in range(10):  # hourly until three days ago, then nothing
            moment = NOW - timedelta(days=3, hours=hours)
            ids = publish(conn, "quiet", f"q{hours}", [Ev()], now=moment)
            process_events(conn, ids, subscriptions(DESK), now=moment)
        add_feed(conn, "https://steady.example/rss", "Steady", now=NOW)
        record_run(
            conn, flow="ingest", started_at=NOW - timedelta(minutes=5),
            finished_at=NOW - timedelta(minutes=4), succeeded=True, detail="3 feeds polled",
            watchlist_version="abc123",
        )  # fmt: skip
    dead = notify_pass(engine, NotifyConfig(smtp=None, http=HttpPolicy(), environ={}))

    code, report = status(database_url, monkeypatch)

    assert dead.dead == 1 and code == 1
    assert report["problems"] == ["1 deliveries are dead: no further attempts"]
    assert [f["outlet"] for f in report["failing_feeds"]] == ["Broken"]
    assert "HTTP 503" in report["failing_feeds"][0]["detail"]
    assert [f["outlet"] for f in report["silent_feeds"]] == ["Quiet"]
    assert (report["feeds"], report["deliveries_dead"], report["articles"]) == (3, 1, 0)
    ingest = report["flows"]["ingest"]["last_success"]
    assert ingest["detail"] == "3 feeds polled" and ingest["seconds"] == 60.0
    assert report["watchlist_version"] == "abc123"


def test_status_is_healthy_after_a_recent_ingest_and_alarms_when_ingests_stop(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)  # the status command reads the clock too
    with engine.begin() as conn:
        add_feed(conn, "https://steady.example/rss", "Steady", now=now)
    never_code, never = status(database_url, monkeypatch)
    with engine.begin() as conn:
        record_run(
            conn, flow="ingest", started_at=now - timedelta(hours=2),
            finished_at=now - timedelta(hours=2), succeeded=True, detail="1 feeds polled",
        )  # fmt: skip
    stale_code, stale = status(database_url, monkeypatch)
    with engine.begin() as conn:
        record_run(
            conn, flow="ingest", started_at=now - timedelta(minutes=1), finished_at=now,
            succeeded=True, detail="1 feeds polled",
        )  # fmt: skip
    fresh_code, fresh = status(database_url, monkeypatch)

    assert (never_code, never["problems"]) == (1, ["no ingest run has succeeded yet"])
    assert stale_code == 1
    assert stale["problems"] == ["no successful ingest for 120 min (one is expected every 10 min)"]
    assert (fresh_code, fresh["healthy"], fresh["problems"]) == (0, True, [])
