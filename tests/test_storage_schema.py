"""The schema: migrations on SQLite and PostgreSQL, engines, and timestamps that stay UTC."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError, StatementError

from storage.db import make_engine, normalize_url, upgrade
from storage.feeds import add_feed, get_feed
from storage.models import Base, articles, feeds
from storage.search import is_search_object
from storage.types import UTCDateTime

REPO_ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _tables(engine: Engine) -> set[str]:
    return {name for name in inspect(engine).get_table_names() if not is_search_object(name)}


def test_upgrade_creates_every_table_from_any_directory(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    upgrade(database_url)
    engine = make_engine(database_url)
    assert _tables(engine) == set(Base.metadata.tables) | {"alembic_version"}
    engine.dispose()


def test_upgrade_twice_changes_nothing(engine: Engine, database_url: str) -> None:
    upgrade(database_url)
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert versions == ["0009_web"]


def test_first_revision_has_no_events(database_url: str) -> None:
    upgrade(database_url, "0001_feeds_articles_stories")
    engine = make_engine(database_url)
    assert _tables(engine) == {"alembic_version", "feeds", "stories", "articles"}
    engine.dispose()


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_name": lambda name, *_: not is_search_object(name)}
        context = MigrationContext.configure(conn, opts=opts)
        assert compare_metadata(context, Base.metadata) == []


def test_alembic_command_migrates_the_database_in_the_environment(sqlite_url: str) -> None:
    env = {**os.environ, "NEWSWATCH_DATABASE_URL": sqlite_url}
    command = [sys.executable, "-m", "alembic", "upgrade", "head"]
    subprocess.run(command, cwd=REPO_ROOT, env=env, check=True, capture_output=True)
    assert "event_actors" in _tables(make_engine(sqlite_url))


def test_plain_postgresql_urls_use_psycopg() -> None:
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite"
    with pytest.raises(ValueError, match="unsupported"):
        normalize_url("mysql://u@h/db")


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    row = {"feed_id": 999, "guid": "g", "url": "u", "canonical_url": "c", "title": "t"}
    row |= {"text": "x", "fetched_at": NOW, "content_hash": "h", "simhash": 0, "story_id": 999}
    row |= {f"simhash_band{i}": 0 for i in range(4)} | {"extracted": True}
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(articles), row)


def test_sqlite_runs_in_wal_mode(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() > 0
    engine.dispose()


def test_timestamps_come_back_as_aware_utc(engine: Engine) -> None:
    added = datetime(2025, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    with engine.begin() as conn:
        feed_id = add_feed(conn, "https://example.org/feed", now=added).id
    with engine.connect() as conn:
        feed = get_feed(conn, feed_id)
        due = conn.execute(select(feeds.c.id).where(feeds.c.next_poll_at <= added)).scalars()
        assert list(due) == [feed_id]  # comparisons in SQL agree with the stored UTC values
    assert feed is not None
    assert feed.added_at == added
    assert feed.added_at.tzinfo == UTC
    assert feed.added_at.hour == 12


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with pytest.raises(StatementError) as raised, engine.begin() as conn:
        add_feed(conn, "https://example.org/feed", now=datetime(2025, 3, 1, 12))
    assert isinstance(raised.value.orig, ValueError)
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2025, 3, 1), sqlite.dialect())
