"""Feeds: adding them, picking the due ones, and the polling state each poll leaves behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from storage.feeds import (
    add_feed,
    claim_feeds,
    get_feed,
    list_feeds,
    record_failure,
    record_fetched,
    record_not_modified,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
URL = "https://news.example.org/rss"


def test_added_feed_is_due_at_once(engine: Engine) -> None:
    with engine.begin() as conn:
        feed = add_feed(conn, URL, "Example News", now=NOW)
    assert feed.created
    assert (feed.url, feed.title, feed.added_at, feed.next_poll_at) == (
        URL,
        "Example News",
        NOW,
        NOW,
    )
    assert (feed.consecutive_failures, feed.last_status, feed.last_error) == (0, None, None)


def test_adding_a_known_url_returns_the_existing_feed(engine: Engine) -> None:
    with engine.begin() as conn:
        first = add_feed(conn, URL, now=NOW)
        again = add_feed(conn, URL, "Other title", now=NOW + timedelta(hours=1))
        assert [f.id for f in list_feeds(conn)] == [first.id]
    assert not again.created
    assert again.id == first.id
    assert (again.title, again.added_at) == (None, NOW)


def test_claimed_feeds_are_the_overdue_ones_most_overdue_first(engine: Engine) -> None:
    lease = timedelta(minutes=10)
    with engine.begin() as conn:
        ids = [add_feed(conn, f"{URL}/{i}", now=NOW - timedelta(minutes=i)).id for i in range(4)]
        later = add_feed(conn, f"{URL}/later", now=NOW + timedelta(minutes=5)).id
        first = claim_feeds(conn, now=NOW, limit=2, lease=lease)
        rest = claim_feeds(conn, now=NOW, limit=10, lease=lease)
        forced = claim_feeds(conn, now=NOW, limit=10, lease=lease, include_all=True)
        assert [f.id for f in list_feeds(conn)] == [*ids, later]
    assert [f.id for f in first] == [ids[3], ids[2]]
    assert [f.id for f in rest] == [ids[1], ids[0]]  # a claimed feed is nobody else's
    assert [f.id for f in forced] == [later]  # --all takes the unclaimed ones, due or not
    assert {f.claimed_until for f in first} == {NOW + lease}


def test_a_recorded_poll_ends_the_claim_and_an_expired_claim_frees_the_feed(
    engine: Engine,
) -> None:
    lease = timedelta(minutes=10)
    with engine.begin() as conn:
        polled, crashed = (add_feed(conn, f"{URL}/{i}", now=NOW).id for i in range(2))
        claim_feeds(conn, now=NOW, limit=10, lease=lease)
        done = record_not_modified(conn, polled, now=NOW)
        assert claim_feeds(conn, now=NOW + timedelta(minutes=5), limit=10, lease=lease) == []
        again = claim_feeds(conn, now=NOW + lease, limit=10, lease=lease, include_all=True)
    assert done.claimed_until is None
    assert sorted(f.id for f in again) == [polled, crashed]


def test_fetched_feed_keeps_validators_and_schedules_the_next_poll(engine: Engine) -> None:
    with engine.begin() as conn:
        feed_id = add_feed(conn, URL, now=NOW).id
        quiet = record_not_modified(conn, feed_id, now=NOW)
        busy = record_fetched(
            conn,
            feed_id,
            now=NOW + timedelta(hours=1),
            etag='"abc"',
            last_modified="Sat, 01 Mar 2025 12:00:00 GMT",
            new_entries=3,
            title="Example News",
        )
    assert (quiet.poll_interval_s, quiet.next_poll_at) == (450, NOW + timedelta(seconds=450))
    assert quiet.last_status == "not_modified"
    assert quiet.last_new_entries_at is None
    assert busy.poll_interval_s == 300
    assert busy.next_poll_at == NOW + timedelta(hours=1, seconds=300)
    assert (busy.etag, busy.last_modified) == ('"abc"', "Sat, 01 Mar 2025 12:00:00 GMT")
    assert (busy.title, busy.last_status) == ("Example News", "ok")
    assert busy.last_polled_at == busy.last_success_at == busy.last_new_entries_at
    with engine.connect() as conn:
        assert get_feed(conn, feed_id) == busy


def test_title_given_when_adding_wins_over_the_feeds_own(engine: Engine) -> None:
    with engine.begin() as conn:
        feed_id = add_feed(conn, URL, "Chosen", now=NOW).id
        feed = record_fetched(
            conn, feed_id, now=NOW, etag=None, last_modified=None, new_entries=0, title="Own"
        )
    assert feed.title == "Chosen"


def test_failures_back_off_and_a_success_resets_them(engine: Engine) -> None:
    with engine.begin() as conn:
        feed_id = add_feed(conn, URL, now=NOW).id
        record_not_modified(conn, feed_id, now=NOW)
        first = record_failure(conn, feed_id, now=NOW, error="timed out", retry_after_s=None)
        second = record_failure(conn, feed_id, now=NOW, error="HTTP 503", retry_after_s=None)
        limited = record_failure(conn, feed_id, now=NOW, error="HTTP 429", retry_after_s=7200)
        healthy = record_not_modified(conn, feed_id, now=NOW)
    assert [f.next_poll_at - NOW for f in (first, second)] == [
        timedelta(seconds=300),
        timedelta(seconds=600),
    ]
    assert (second.consecutive_failures, second.last_error, second.last_status) == (
        2,
        "HTTP 503",
        "failing",
    )
    assert second.last_success_at == NOW
    assert limited.next_poll_at == NOW + timedelta(hours=2)
    assert (healthy.consecutive_failures, healthy.last_error, healthy.last_status) == (
        0,
        None,
        "not_modified",
    )
    assert healthy.poll_interval_s == 675  # failures leave the polling interval alone


def test_recording_a_poll_of_an_unknown_feed_fails(engine: Engine) -> None:
    with pytest.raises(LookupError), engine.begin() as conn:
        record_not_modified(conn, 12345, now=NOW)
    with engine.connect() as conn:
        assert get_feed(conn, 12345) is None
