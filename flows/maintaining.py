"""Maintenance wired to the settings: empty the text of articles past the retention period, forget
old run records, and report the feeds that need a look. Shared by the flow and `serve`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from alerts.health import FeedHealth, feed_health
from flows.runs import recorded_run
from flows.settings import Settings
from storage.articles import forget_texts
from storage.db import make_engine
from storage.runs import forget_runs

RUNS_KEPT = timedelta(days=30)


@dataclass
class MaintenanceSummary:
    texts_emptied: int = 0
    runs_forgotten: int = 0
    feeds_to_check: list[FeedHealth] = field(default_factory=list)


def run_maintenance(settings: Settings, *, now: datetime | None = None) -> MaintenanceSummary:
    """One maintenance pass over the configured database."""
    moment = now or datetime.now(UTC)
    summary = MaintenanceSummary()
    engine = make_engine(settings.database_url)
    try:
        with recorded_run(engine, "maintenance") as note:
            with engine.begin() as conn:
                retention = timedelta(days=settings.article_text_retention_days)
                summary.texts_emptied = forget_texts(conn, before=moment - retention)
                summary.runs_forgotten = forget_runs(conn, before=moment - RUNS_KEPT)
                summary.feeds_to_check = list(feed_health(conn, as_of=moment))
            note.detail = (
                f"{summary.texts_emptied} article texts emptied, {summary.runs_forgotten} run "
                f"records forgotten, {len(summary.feeds_to_check)} feeds to check"
            )
    finally:
        engine.dispose()
    return summary
