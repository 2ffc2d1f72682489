"""Column types shared by the models: `UTCDateTime` keeps every timestamp timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """timestamptz on PostgreSQL, naive UTC on SQLite; always aware UTC in Python.

    Naive datetimes are refused on write: their time zone is a guess, and a wrong guess shifts
    polling schedules and digests by hours without any error.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: pass an aware datetime")
        utc = value.astimezone(UTC)
        # SQLite stores text without an offset; keeping it UTC makes text order time order.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
