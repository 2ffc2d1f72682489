"""Which watchlist a cycle uses: the configured one when it loads (kept as a snapshot), else the last
snapshot that loaded, so an edit with a mistake never takes the old watchlist out of force."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from extractors.events import Watchlist, WatchlistError, load_watchlist
from storage.watchlists import latest_snapshot, save_snapshot


@dataclass(frozen=True)
class WatchlistChoice:
    watchlist: Watchlist
    rejected: str | None = None  # why the configured watchlist is not the one in force


def choose_watchlist(engine: Engine, path: Path | None, *, now: datetime) -> WatchlistChoice:
    """The shipped watchlist when none is configured; the configured one when it loads; else the
    last configured one that loaded (the shipped one if none ever did), with the reason."""
    if path is None:
        return WatchlistChoice(load_watchlist())
    try:
        watchlist = load_watchlist([path])
    except WatchlistError as error:
        return WatchlistChoice(_last_good(engine), str(error))
    with engine.begin() as conn:
        save_snapshot(conn, watchlist.version, _own_files(watchlist, path), now=now)
    return WatchlistChoice(watchlist)


def _own_files(watchlist: Watchlist, path: Path) -> dict[str, str]:
    """The configured files by path relative to the watchlist folder (shipped files completing a
    partial watchlist are not part of it)."""
    root = (path if path.is_dir() else path.parent).resolve()
    own = (Path(name).resolve() for name in watchlist.files)
    return {
        str(file.relative_to(root)): file.read_text(encoding="utf-8")
        for file in own
        if file.is_relative_to(root)
    }


def _last_good(engine: Engine) -> Watchlist:
    with engine.connect() as conn:
        snapshot = latest_snapshot(conn)
    if snapshot is None:
        return load_watchlist()
    with tempfile.TemporaryDirectory() as folder:
        for name, text in snapshot.files.items():
            target = Path(folder) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return load_watchlist([Path(folder)])
