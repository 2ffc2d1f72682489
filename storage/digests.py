"""Stored digests: one per subscription and period, written once, read back by the delivery pass."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from storage.db import insert_for
from storage.models import digests


@dataclass(frozen=True)
class DigestRecord:
    id: int
    subscription: str
    period_key: str
    period_start: datetime
    period_end: datetime
    content: dict[str, Any]
    created_at: datetime


def save_digest(
    conn: Connection,
    *,
    subscription: str,
    period_key: str,
    period_start: datetime,
    period_end: datetime,
    content: dict[str, Any],
    now: datetime,
) -> int | None:
    """Store a digest; None when this subscription has one for this period already."""
    statement = (
        insert_for(conn, digests)
        .values(
            subscription=subscription,
            period_key=period_key,
            period_start=period_start,
            period_end=period_end,
            content=content,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(digests.c.id)
    )
    return conn.execute(statement).scalar_one_or_none()


def get_digest(conn: Connection, digest_id: int) -> DigestRecord | None:
    row = conn.execute(select(digests).where(digests.c.id == digest_id)).first()
    return None if row is None else DigestRecord(**row._mapping)


def find_digest(conn: Connection, subscription: str, period_key: str) -> DigestRecord | None:
    query = select(digests).where(
        digests.c.subscription == subscription, digests.c.period_key == period_key
    )
    row = conn.execute(query).first()
    return None if row is None else DigestRecord(**row._mapping)
