"""Engines, schema upgrades and the few SQL helpers that every query module shares."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from psycopg.types.array import ListBinaryDumper
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Row,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import URL, make_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# SQLite refuses statements with more than 32766 parameters; IN lists are cut well below that.
IN_LIST_CHUNK = 500

_SQLITE_BUSY_TIMEOUT_MS = 30_000

T = TypeVar("T")
AnyRow = Row[*tuple[Any, ...]]


class UnsupportedDatabase(ValueError):
    """A database URL for something other than SQLite or PostgreSQL."""


def normalize_url(url: str) -> URL:
    """Parse `url`; plain `postgresql://` (or `postgres://`) URLs get the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise UnsupportedDatabase(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
    return parsed


def make_engine(url: str) -> Engine:
    """An engine for a `sqlite:///path` or `postgresql+psycopg://...` URL."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(parsed, pool_pre_ping=True)
        event.listen(engine, "connect", _configure_postgresql_connection)
        return engine
    engine = create_engine(parsed)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_postgresql_connection(dbapi_connection: Any, _record: Any) -> None:
    # Lists are sent as arrays (bulk inserts, = ANY). In text format psycopg escapes every element
    # with regular expressions: five times slower than binary for a batch of article texts.
    dbapi_connection.adapters.register_dumper(list, ListBinaryDumper)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Take BEGIN away from the sqlite3 module: its legacy mode skips BEGIN before SELECT and DDL,
    # and that mode goes away in Python 3.16.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough with WAL, much faster
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _begin_sqlite_transaction(conn: Connection) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes
    # fails at once with "database is locked" when another writer got in between, whereas
    # IMMEDIATE waits for busy_timeout. Flows write in nearly every transaction anyway.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database at `database_url` to `revision`; a no-op when already there."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Config values go through configparser interpolation, so a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, revision)


class SchemaNotCurrent(Exception):
    """The database has no newswatch tables, or they are at an older schema than this code; the
    message says which, as the end of "the database ... "."""


def require_current_schema(engine: Engine) -> None:
    """Raise `SchemaNotCurrent` unless the database is at the latest migration."""
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    latest = set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())
    if current != latest:
        raise SchemaNotCurrent(
            "has no newswatch tables" if not current else "is at an older schema"
        )


def insert_for(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT in the dialect of `conn`, which offers ON CONFLICT on both databases."""
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def insert_many(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    ignore_conflicts: bool = False,
    returning: Sequence[Column[Any]] = (),
) -> list[AnyRow]:
    """Insert `rows` (all with the same keys) in one statement; rows skipped as conflicts when
    `ignore_conflicts`. Returns the `returning` columns of the inserted rows, in no set order."""
    if not rows:
        return []
    names = list(rows[0])
    statement: postgresql.Insert | sqlite.Insert
    params: Sequence[Mapping[str, Any]] | Mapping[str, Any]
    if conn.dialect.name == "postgresql":
        # One array per column, unnested on the server: 2-3x faster than SQLAlchemy's multi-row
        # VALUES, whose thousands of placeholders psycopg must parse on every call.
        unnest = select(
            *(func.unnest(bindparam(name, type_=ARRAY(table.c[name].type))) for name in names)
        )
        statement = postgresql.insert(table).from_select(names, unnest)
        params = {name: [row[name] for row in rows] for name in names}
    else:
        statement = sqlite.insert(table)
        params = rows
    if ignore_conflicts:
        statement = statement.on_conflict_do_nothing()
    if not returning:
        conn.execute(statement, params)
        return []
    return list(conn.execute(statement.returning(*returning), params))


def analyze(conn: Connection) -> None:
    """Refresh the query planner's statistics, which story lookups rely on to use their indexes.
    PostgreSQL's autovacuum does this by itself; SQLite only when asked."""
    conn.exec_driver_sql("ANALYZE")


def one_of(
    conn: Connection, column: ColumnElement[Any], values: Iterable[Any]
) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(array)`, one parameter for all values,
    since psycopg parses every placeholder of a statement on each call."""
    if conn.dialect.name == "postgresql":
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(list(values))


def chunked(items: Iterable[T], size: int = IN_LIST_CHUNK) -> Iterator[Sequence[T]]:
    """`items` in lists of at most `size`, for IN lists and batches of bounded size."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
