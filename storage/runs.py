"""Flow runs: one row per run of a flow, so operators can see what last ran and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, delete, insert, select

from storage.models import runs

_DETAIL_MAX = 2000


@dataclass(frozen=True)
class RunRecord:
    id: int
    flow: str
    started_at: datetime
    finished_at: datetime
    succeeded: bool
    detail: str
    watchlist_version: str | None
    stats: dict[str, float]

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


def record_run(
    conn: Connection,
    *,
    flow: str,
    started_at: datetime,
    finished_at: datetime,
    succeeded: bool,
    detail: str,
    watchlist_version: str | None = None,
    stats: dict[str, float] | None = None,
) -> None:
    conn.execute(
        insert(runs).values(
            flow=flow,
            started_at=started_at,
            finished_at=finished_at,
            succeeded=succeeded,
            detail=detail[:_DETAIL_MAX],
            watchlist_version=watchlist_version,
            stats=stats or {},
        )
    )


def _latest(conn: Connection, flow: str, *, succeeded: bool | None) -> RunRecord | None:
    query: Select[Any] = select(runs).where(runs.c.flow == flow)
    if succeeded is not None:
        query = query.where(runs.c.succeeded.is_(succeeded))
    row = conn.execute(query.order_by(runs.c.started_at.desc()).limit(1)).first()
    return None if row is None else RunRecord(**row._mapping)


def last_run(conn: Connection, flow: str) -> RunRecord | None:
    """The latest run of `flow`, successful or not."""
    return _latest(conn, flow, succeeded=None)


def last_success(conn: Connection, flow: str) -> RunRecord | None:
    return _latest(conn, flow, succeeded=True)


def forget_runs(conn: Connection, *, before: datetime) -> int:
    """Delete the runs started before `before`; returns how many."""
    return conn.execute(delete(runs).where(runs.c.started_at < before)).rowcount
