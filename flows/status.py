"""What an operator needs to know at a glance, and whether something needs them: read-only, from
the database the flows write to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.health import FeedHealth, feed_health
from flows.settings import Settings
from storage import runs as run_store
from storage.db import make_engine
from storage.status import Counts, counts

FLOWS = ("ingest", "notify", "digest", "maintenance")
RECENT = timedelta(hours=24)
MISSED_INGESTS = 3  # no successful ingest in this many intervals needs an operator


@dataclass(frozen=True)
class FlowStatus:
    """A flow's last run and last success (None: never)."""

    flow: str
    last_run: run_store.RunRecord | None
    last_success: run_store.RunRecord | None


@dataclass(frozen=True)
class Status:
    checked_at: datetime
    counts: Counts
    failing: tuple[FeedHealth, ...]
    silent: tuple[FeedHealth, ...]
    flows: tuple[FlowStatus, ...]
    watchlist_version: str | None  # the one the last successful ingest used
    problems: tuple[str, ...]  # what needs an operator; empty when healthy


def gather_status(settings: Settings, *, now: datetime) -> Status:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            found = counts(conn, now=now, since=now - RECENT)
            health = feed_health(conn, as_of=now)
            flows = tuple(
                FlowStatus(flow, run_store.last_run(conn, flow), run_store.last_success(conn, flow))
                for flow in FLOWS
            )
    finally:
        engine.dispose()
    failing = tuple(h for h in health if h.problem == "failing")
    silent = tuple(h for h in health if h.problem == "silent")
    ingest = flows[0].last_success
    return Status(
        checked_at=now,
        counts=found,
        failing=failing,
        silent=silent,
        flows=flows,
        watchlist_version=ingest.watchlist_version if ingest else None,
        problems=problems(found, failing, ingest, now=now, interval=settings.ingest_interval_s),
    )


def problems(
    found: Counts,
    failing: tuple[FeedHealth, ...],
    ingest: run_store.RunRecord | None,
    *,
    now: datetime,
    interval: int,
) -> tuple[str, ...]:
    """Dead deliveries, most feeds failing, or no successful ingest in `MISSED_INGESTS` intervals."""
    found_problems: list[str] = []
    if found.deliveries_dead:
        found_problems.append(f"{found.deliveries_dead} deliveries are dead: no further attempts")
    if found.feeds and len(failing) * 2 > found.feeds:
        found_problems.append(f"most feeds are failing: {len(failing)} of {found.feeds}")
    overdue = timedelta(seconds=MISSED_INGESTS * interval)
    if found.feeds and ingest is None:
        found_problems.append("no ingest run has succeeded yet")
    elif ingest is not None and now - ingest.finished_at > overdue:
        found_problems.append(
            f"no successful ingest for {_minutes(now - ingest.finished_at)} "
            f"(one is expected every {_minutes(timedelta(seconds=interval))})"
        )
    return tuple(found_problems)


def _minutes(span: timedelta) -> str:
    return f"{round(span.total_seconds() / 60)} min"
