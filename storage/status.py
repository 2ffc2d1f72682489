"""Counts an operator checks: feeds due, articles and events of the last hours, deliveries by state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Table, and_, func, select

from storage.models import articles, deliveries, events, feeds
from storage.outbox import DEAD, PENDING, SENDING


@dataclass(frozen=True)
class Counts:
    feeds: int
    feeds_due: int
    articles: int  # fetched since the given moment
    events: int  # detected since then
    deliveries_pending: int  # never tried yet
    deliveries_retrying: int  # tried, failed, waiting for another attempt
    deliveries_sending: int
    deliveries_dead: int


def _count(conn: Connection, table: Table, *where: ColumnElement[bool]) -> int:
    query = select(func.count()).select_from(table).where(*where)
    return int(conn.execute(query).scalar_one())


def counts(conn: Connection, *, now: datetime, since: datetime) -> Counts:
    status = deliveries.c.status
    return Counts(
        feeds=_count(conn, feeds),
        feeds_due=_count(conn, feeds, feeds.c.next_poll_at <= now),
        articles=_count(conn, articles, articles.c.fetched_at >= since),
        events=_count(conn, events, events.c.detected_at >= since),
        deliveries_pending=_count(
            conn, deliveries, and_(status == PENDING, deliveries.c.attempts == 0)
        ),
        deliveries_retrying=_count(
            conn, deliveries, and_(status == PENDING, deliveries.c.attempts > 0)
        ),
        deliveries_sending=_count(conn, deliveries, status == SENDING),
        deliveries_dead=_count(conn, deliveries, status == DEAD),
    )
