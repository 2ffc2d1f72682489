"""Logs and metrics an operator scrapes: JSON log lines with the flow run id, Prometheus text."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from flows.logs import configure_logging
from flows.maintenance import maintenance_flow
from newswatch.cli import app
from storage.db import upgrade
from storage.feeds import add_feed, record_failure
from storage.runs import record_run

NOW = datetime.now(UTC)


@pytest.fixture
def text_logs_after() -> Iterator[None]:
    yield
    configure_logging("text")


def test_json_logs_carry_the_flow_run_id_under_prefect(
    prefect_harness: None,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text_logs_after: None,
) -> None:
    upgrade(sqlite_url)
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("NEWSWATCH_LOG_FORMAT", "json")

    maintenance_flow()

    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    (run,) = [line for line in lines if line.get("logger") == "flows.runs"]
    assert run["flow"] == "maintenance" and run["succeeded"] is True and run["level"] == "info"
    assert len(run["flow_run_id"]) == 36


def test_metrics_are_prometheus_text_from_the_database(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine.begin() as conn:
        feed = add_feed(conn, "https://down.example/rss", "Down", now=NOW)
        record_failure(conn, feed.id, now=NOW, error="HTTP 500", retry_after_s=None)
        record_run(
            conn, flow="ingest", started_at=NOW - timedelta(seconds=3), finished_at=NOW,
            succeeded=True, detail="1 feeds polled",
            stats={"feeds_polled": 1, "feeds_failed": 1, "stage_seconds.polling feeds": 0.5},
        )  # fmt: skip
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", database_url)

    result = CliRunner().invoke(app, ["metrics"])

    assert result.exit_code == 0, result.output
    lines = set(result.output.splitlines())
    assert 'newswatch_feeds{state="failing"} 1.0' in lines
    assert 'newswatch_deliveries{status="dead"} 0.0' in lines
    assert 'newswatch_last_ingest{measure="feeds_polled"} 1.0' in lines
    assert 'newswatch_last_ingest_stage_seconds{stage="polling feeds"} 0.5' in lines
    assert 'newswatch_flow_last_run_duration_seconds{flow="ingest"} 3.0' in lines
    assert "newswatch_healthy 0.0" in lines  # its only feed fails
    assert "# TYPE newswatch_feeds gauge" in lines


def test_configuring_twice_does_not_double_every_line(text_logs_after: None) -> None:
    configure_logging("json")
    configure_logging("json")

    ours = [h for h in logging.getLogger().handlers if type(h).__name__ == "_Handler"]
    assert len(ours) == 1
