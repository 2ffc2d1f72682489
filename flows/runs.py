"""Recording each flow run in the database, whatever runs it (a Prefect deployment, `newswatch
run`, `serve`), so `newswatch status` can tell when each flow last succeeded."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from storage.runs import record_run

log = logging.getLogger(__name__)


@dataclass
class RunNote:
    """What the run says of itself when it ends: a one-line detail, the watchlist it used, and
    numbers for the metrics."""

    detail: str = ""
    watchlist_version: str | None = None
    stats: dict[str, float] = field(default_factory=dict)


@contextmanager
def recorded_run(engine: Engine, flow: str) -> Iterator[RunNote]:
    """Record the run of `flow` around the block: succeeded when it returns, failed (with the
    error) when it raises, and the error goes on up."""
    note = RunNote()
    started = datetime.now(UTC)
    try:
        yield note
    except Exception as error:
        _record(engine, flow, started, False, f"{type(error).__name__}: {error}", note)
        raise
    _record(engine, flow, started, True, note.detail, note)


def _record(
    engine: Engine, flow: str, started: datetime, succeeded: bool, detail: str, note: RunNote
) -> None:
    seconds = round((datetime.now(UTC) - started).total_seconds(), 3)
    log.log(
        logging.INFO if succeeded else logging.ERROR,
        "%s run %s in %.1f s: %s",
        flow,
        "succeeded" if succeeded else "failed",
        seconds,
        detail,
        extra={"flow": flow, "succeeded": succeeded, "seconds": seconds, **note.stats},
    )
    with engine.begin() as conn:
        record_run(
            conn,
            flow=flow,
            started_at=started,
            finished_at=datetime.now(UTC),
            succeeded=succeeded,
            detail=detail,
            watchlist_version=note.watchlist_version,
            stats=note.stats,
        )
