"""What the CLI says when a user's input or setup is wrong: one line per problem on stderr and exit
code 2, never a traceback. Everything else is a bug and keeps its traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from alerts.subscriptions import SubscriptionError
from extractors.events import WatchlistError
from flows.settings import Settings
from storage.db import SchemaNotCurrent, UnsupportedDatabase

USAGE_ERROR = 2
_URL_FORMS = "sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DATABASE"
# How each database says a table is missing: SQLite in its message, PostgreSQL by SQLSTATE.
_NO_TABLE_SQLITE = "no such table"
_UNDEFINED_TABLE = "42P01"


def explain(error: BaseException, database_url: str) -> str | None:
    """The lines that tell a user what is wrong and what to do, or None for a bug."""
    if isinstance(error, SubscriptionError | WatchlistError):
        return "\n".join(str(problem) for problem in error.problems)
    shown = _shown(database_url)
    if isinstance(error, UnsupportedDatabase | NoSuchModuleError | ArgumentError):
        return f"unsupported database URL {shown}: use {_URL_FORMS} (NEWSWATCH_DATABASE_URL)"
    if isinstance(error, SchemaNotCurrent):
        return f"the database {shown} {error}: run `newswatch db upgrade`"
    if isinstance(error, DBAPIError):
        if (
            _NO_TABLE_SQLITE in str(error.orig)
            or getattr(error.orig, "sqlstate", None) == _UNDEFINED_TABLE
        ):
            return f"the database {shown} has no newswatch tables: run `newswatch db upgrade`"
        if error.connection_invalidated or _at_connect(error):
            reason = " ".join(str(error.orig).split())
            return (
                f"cannot reach the database {shown}: {reason}. Check that the server runs and "
                "accepts this user, or set NEWSWATCH_DATABASE_URL"
            )
    return None


def run_reporting_errors(command: Callable[[], object]) -> None:
    """Run the CLI; a problem `explain` knows ends it with its lines and exit code 2."""
    try:
        command()
    except Exception as error:
        message = explain(error, _database_url())
        if message is None:
            raise
        for line in message.splitlines():
            print(f"newswatch: {line}", file=sys.stderr)
        sys.exit(USAGE_ERROR)


def _at_connect(error: DBAPIError) -> bool:
    """Whether the error came from opening the connection (no statement had been sent)."""
    return not error.statement


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


def _database_url() -> str:
    try:
        return Settings().database_url
    except Exception:  # settings that do not even load are reported by pydantic's own message
        return ""
