"""Snapshots of custom watchlists that loaded: the fallback when an edited one is rejected."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from storage.db import insert_many
from storage.models import watchlist_snapshots


@dataclass(frozen=True)
class WatchlistSnapshot:
    version: str
    files: Mapping[str, str]  # path relative to the watchlist folder -> text
    saved_at: datetime


def save_snapshot(
    conn: Connection, version: str, files: Mapping[str, str], *, now: datetime
) -> None:
    """Keep `files` as watchlist `version`; a version already kept is left as it was."""
    row = {"version": version, "files": dict(files), "saved_at": now}
    insert_many(conn, watchlist_snapshots, [row], ignore_conflicts=True)


def latest_snapshot(conn: Connection) -> WatchlistSnapshot | None:
    """The most recently saved watchlist, if any."""
    table = watchlist_snapshots
    query = select(table.c.version, table.c.files, table.c.saved_at)
    row = conn.execute(query.order_by(table.c.saved_at.desc()).limit(1)).first()
    return None if row is None else WatchlistSnapshot(row.version, row.files, row.saved_at)
