"""Recording each flow run in the database, whatever runs it (a Prefect deployment, `newswatch
run`, `serve`), so `newswatch status` can tell when each flow last succeeded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from storage.runs import record_run


@dataclass
class RunNote:
    """What the run says of itself when it ends: a one-line detail, the watchlist it used."""

    detail: str = ""
    watchlist_version: str | None = None


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
    with engine.begin() as conn:
        record_run(
            conn,
            flow=flow,
            started_at=started,
            finished_at=datetime.now(UTC),
            succeeded=succeeded,
            detail=detail,
            watchlist_version=note.watchlist_version,
        )
