"""Feeds and their polling state: adding feeds, picking the due ones, recording each poll."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    UnaryExpression,
    and_,
    func,
    or_,
    select,
    update,
)

from storage.db import insert_many
from storage.models import articles, feeds
from storage.polling import DEFAULT_POLICY, PollPolicy, failure_delay_s, next_interval_s

STATUS_OK = "ok"
STATUS_NOT_MODIFIED = "not_modified"
STATUS_FAILING = "failing"


@dataclass(frozen=True)
class FeedRecord:
    """A feed and its polling state. `last_status` is None until the first poll."""

    id: int
    url: str
    title: str | None
    added_at: datetime
    etag: str | None
    last_modified: str | None
    next_poll_at: datetime
    poll_interval_s: int
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_new_entries_at: datetime | None
    consecutive_failures: int
    last_error: str | None
    last_status: str | None
    claimed_until: datetime | None = None  # leased by an ingest run until then
    created: bool = False  # True only from the add_feed call that inserted it


def outlet_name(title: str | None, url: str) -> str:
    """How a feed is named to readers: its title, else its host."""
    return title or urlsplit(url).hostname or url


def _record(row: Row[Any], *, created: bool = False) -> FeedRecord:
    return FeedRecord(**row._mapping, created=created)


def add_feed(
    conn: Connection,
    url: str,
    title: str | None = None,
    *,
    now: datetime,
    policy: PollPolicy = DEFAULT_POLICY,
) -> FeedRecord:
    """Add a feed, due at once; a feed already known by `url` is returned unchanged."""
    row = {
        "url": url,
        "title": title,
        "added_at": now,
        "next_poll_at": now,
        "poll_interval_s": policy.min_interval_s,
        "consecutive_failures": 0,
    }
    inserted = insert_many(conn, feeds, [row], ignore_conflicts=True, returning=list(feeds.c))
    if inserted:
        return _record(inserted[0], created=True)
    return _record(conn.execute(select(feeds).where(feeds.c.url == url)).one())


def add_feeds(conn: Connection, feeds: Iterable[tuple[str, str | None]], *, now: datetime) -> int:
    """Add each (url, title) as `add_feed` does; returns how many were new."""
    return sum(add_feed(conn, url, title, now=now).created for url, title in feeds)


def get_feed(conn: Connection, feed_id: int) -> FeedRecord | None:
    row = conn.execute(select(feeds).where(feeds.c.id == feed_id)).first()
    return None if row is None else _record(row)


def _select_feeds(
    conn: Connection,
    *,
    order_by: UnaryExpression[Any] | ColumnElement[Any],
    limit: int | None = None,
    where: ColumnElement[bool] | None = None,
) -> list[FeedRecord]:
    query = select(feeds).order_by(order_by, feeds.c.id).limit(limit)
    if where is not None:
        query = query.where(where)
    return [_record(row) for row in conn.execute(query)]


def list_feeds(conn: Connection) -> list[FeedRecord]:
    """Every feed, in the order they were added."""
    return _select_feeds(conn, order_by=feeds.c.id)


def claim_feeds(
    conn: Connection, *, now: datetime, limit: int, lease: timedelta, include_all: bool = False
) -> list[FeedRecord]:
    """Lease up to `limit` unclaimed feeds that are due (or any, with `include_all`) until
    `now + lease`, the most overdue first. Overlapping runs split the feeds: rows another
    transaction is claiming are skipped (PostgreSQL), or the claims queue up (SQLite's
    BEGIN IMMEDIATE). Recording the poll ends the claim; a crashed run's claims expire."""
    free = or_(feeds.c.claimed_until.is_(None), feeds.c.claimed_until <= now)
    wanted = free if include_all else and_(free, feeds.c.next_poll_at <= now)
    picked = (
        select(feeds.c.id)
        .where(wanted)
        .order_by(feeds.c.next_poll_at, feeds.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(feeds)
        .where(feeds.c.id.in_(picked.scalar_subquery()))
        .values(claimed_until=now + lease)
        .returning(*feeds.c)
    )
    claimed = [_record(row) for row in conn.execute(statement)]
    return sorted(claimed, key=lambda feed: (feed.next_poll_at, feed.id))


def _polling_state(conn: Connection, feed_id: int) -> tuple[int, int]:
    """The feed's current (poll_interval_s, consecutive_failures)."""
    query = (
        select(feeds.c.poll_interval_s, feeds.c.consecutive_failures)
        .where(feeds.c.id == feed_id)
        .with_for_update()  # concurrent pollers of one feed must not lose a failure count
    )
    row = conn.execute(query).first()
    if row is None:
        raise LookupError(f"no feed with id {feed_id}")
    return int(row.poll_interval_s), int(row.consecutive_failures)


def _update(conn: Connection, feed_id: int, **values: Any) -> FeedRecord:
    statement = update(feeds).where(feeds.c.id == feed_id).values(**values).returning(*feeds.c)
    return _record(conn.execute(statement).one())


def _record_success(
    conn: Connection,
    feed_id: int,
    *,
    now: datetime,
    new_entries: bool,
    status: str,
    policy: PollPolicy,
    **values: Any,
) -> FeedRecord:
    interval, _failures = _polling_state(conn, feed_id)
    interval = next_interval_s(interval, new_entries=new_entries, policy=policy)
    if new_entries:
        values["last_new_entries_at"] = now
    return _update(
        conn,
        feed_id,
        poll_interval_s=interval,
        next_poll_at=now + timedelta(seconds=interval),
        last_polled_at=now,
        last_success_at=now,
        consecutive_failures=0,
        last_error=None,
        last_status=status,
        claimed_until=None,
        **values,
    )


def record_fetched(
    conn: Connection,
    feed_id: int,
    *,
    now: datetime,
    etag: str | None,
    last_modified: str | None,
    new_entries: int,
    title: str | None,
    policy: PollPolicy = DEFAULT_POLICY,
) -> FeedRecord:
    """A poll that got the feed: keep its validators, and poll sooner if it had new entries.

    `title` (the feed's own) only fills in a missing title: one given when adding the feed wins.
    """
    return _record_success(
        conn,
        feed_id,
        now=now,
        new_entries=new_entries > 0,
        status=STATUS_OK,
        policy=policy,
        etag=etag,
        last_modified=last_modified,
        title=func.coalesce(feeds.c.title, title),
    )


def record_not_modified(
    conn: Connection, feed_id: int, *, now: datetime, policy: PollPolicy = DEFAULT_POLICY
) -> FeedRecord:
    """A poll answered 304: a success without news, so the feed is polled less often."""
    return _record_success(
        conn, feed_id, now=now, new_entries=False, status=STATUS_NOT_MODIFIED, policy=policy
    )


def record_failure(
    conn: Connection,
    feed_id: int,
    *,
    now: datetime,
    error: str,
    retry_after_s: float | None,
    policy: PollPolicy = DEFAULT_POLICY,
) -> FeedRecord:
    """A failed poll: keep the operator-facing `error` and back off; the interval is kept."""
    _interval, failures = _polling_state(conn, feed_id)
    failures += 1
    delay = failure_delay_s(failures, retry_after_s=retry_after_s, policy=policy)
    return _update(
        conn,
        feed_id,
        next_poll_at=now + timedelta(seconds=delay),
        last_polled_at=now,
        consecutive_failures=failures,
        last_error=error,
        last_status=STATUS_FAILING,
        claimed_until=None,
    )


def publication_times(
    conn: Connection, *, since: datetime, until: datetime
) -> dict[int, list[datetime]]:
    """For each feed, when its articles published between `since` and `until` appeared (the fetch
    time for an article without a date), the earliest first."""
    moment = func.coalesce(articles.c.published_at, articles.c.fetched_at)
    query = (
        select(articles.c.feed_id, moment.label("moment"))
        # An article is fetched after it is published: the indexed fetch time narrows the scan.
        .where(articles.c.fetched_at >= since, moment >= since, moment < until)
        .order_by(articles.c.feed_id, moment)
    )
    found: dict[int, list[datetime]] = {}
    for feed_id, moment_at in conn.execute(query):
        found.setdefault(feed_id, []).append(moment_at)
    return found
