"""Articles: idempotent batched storage, unique canonical URLs, and stories of near-duplicates."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import StatementError

from storage.articles import (
    ArticleRecord,
    NewArticle,
    count_articles,
    get_article,
    known_canonical_urls,
    known_guids,
    list_articles,
    store_articles,
)
from storage.feeds import add_feed
from storage.models import stories

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SIMHASH = 0xF0F0_1234_ABCD_8001  # top bit set: stored as a negative BIGINT


@pytest.fixture
def feed_ids(engine: Engine) -> list[int]:
    with engine.begin() as conn:
        return [add_feed(conn, f"https://feed{i}.example/rss", now=NOW).id for i in (1, 2)]


def article(feed_id: int, key: str, *, text: str | None = None, simhash: int = 0) -> NewArticle:
    body = f"Full text of article {key}." if text is None else text
    return NewArticle(
        feed_id=feed_id,
        guid=f"guid-{key}",
        url=f"https://news.example/{key}?utm_source=rss",
        canonical_url=f"https://news.example/{key}",
        title=f"Title {key}",
        author="A. Writer",
        text=body,
        summary="Summary.",
        language="en",
        published_at=NOW - timedelta(hours=1),
        simhash=simhash or int.from_bytes(hashlib.sha256(key.encode()).digest()[:8]),
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
        extracted=True,
        extraction_error=None,
    )


def story_count(conn: Connection, story_id: int) -> int:
    query = select(stories.c.article_count).where(stories.c.id == story_id)
    return int(conn.execute(query).scalar_one())


def test_storing_the_same_batch_twice_stores_nothing_the_second_time(
    engine: Engine, feed_ids: list[int]
) -> None:
    batch = [article(feed_ids[0], str(i)) for i in range(5)]
    with engine.begin() as conn:
        first = store_articles(conn, batch, now=NOW)
    with engine.begin() as conn:
        second = store_articles(conn, batch, now=NOW)
        assert count_articles(conn) == 5
    assert [a.guid for a in first] == [a.guid for a in batch]
    assert len({a.id for a in first}) == 5
    assert second == []


def test_known_entries_are_found_by_guid_per_feed_and_by_canonical_url(
    engine: Engine, feed_ids: list[int]
) -> None:
    with engine.begin() as conn:
        store_articles(conn, [article(feed_ids[0], "a")], now=NOW)
        assert known_guids(conn, feed_ids[0], ["guid-a", "guid-b"]) == {"guid-a"}
        assert known_guids(conn, feed_ids[1], ["guid-a"]) == set()
        urls = ["https://news.example/a", "https://news.example/b"]
        assert known_canonical_urls(conn, urls) == {"https://news.example/a"}


def test_a_canonical_url_is_stored_once_across_feeds_and_within_a_batch(
    engine: Engine, feed_ids: list[int]
) -> None:
    with engine.begin() as conn:
        stored = store_articles(
            conn,
            [article(feed_ids[0], "a"), replace(article(feed_ids[0], "a"), guid="other")],
            now=NOW,
        )
        from_other_feed = store_articles(conn, [article(feed_ids[1], "a")], now=NOW)
        assert count_articles(conn) == 1
    assert [a.guid for a in stored] == ["guid-a"]
    assert from_other_feed == []


def test_near_duplicate_joins_the_existing_story(engine: Engine, feed_ids: list[int]) -> None:
    original = article(feed_ids[0], "wire", simhash=SIMHASH)
    rewrite = article(feed_ids[1], "copy", text="A light rewrite.", simhash=SIMHASH ^ 0b101)
    with engine.begin() as conn:
        [first] = store_articles(conn, [original], now=NOW)
        [second] = store_articles(conn, [rewrite], now=NOW + timedelta(hours=1), max_distance=3)
        assert story_count(conn, first.story_id) == 2
    assert first.new_story
    assert (second.story_id, second.new_story) == (first.story_id, False)


def test_different_article_gets_a_new_story(engine: Engine, feed_ids: list[int]) -> None:
    with engine.begin() as conn:
        [first] = store_articles(conn, [article(feed_ids[0], "a", simhash=SIMHASH)], now=NOW)
        other = article(feed_ids[0], "b", simhash=SIMHASH ^ 0xFFFF)  # 16 bits apart
        [second] = store_articles(conn, [other], now=NOW)
        assert story_count(conn, first.story_id) == story_count(conn, second.story_id) == 1
    assert second.new_story
    assert second.story_id != first.story_id


def test_exact_copy_joins_whatever_its_simhash(engine: Engine, feed_ids: list[int]) -> None:
    text = "The same syndicated wire text."
    with engine.begin() as conn:
        [first] = store_articles(conn, [article(feed_ids[0], "a", text=text)], now=NOW)
        copy = article(feed_ids[1], "b", text=text, simhash=~SIMHASH)
        [second] = store_articles(conn, [copy], now=NOW)
    assert second.story_id == first.story_id


def test_later_article_of_a_batch_joins_a_story_started_in_the_batch(
    engine: Engine, feed_ids: list[int]
) -> None:
    batch = [
        article(feed_ids[0], "a", simhash=SIMHASH),
        article(feed_ids[0], "b", simhash=SIMHASH ^ 0xFFFF_0000),
        article(feed_ids[1], "c", simhash=SIMHASH ^ 1),
    ]
    with engine.begin() as conn:
        a, b, c = store_articles(conn, batch, now=NOW)
        assert story_count(conn, a.story_id) == 2
    assert [s.new_story for s in (a, b, c)] == [True, True, False]
    assert c.story_id == a.story_id != b.story_id


def test_only_recent_articles_are_joined(engine: Engine, feed_ids: list[int]) -> None:
    with engine.begin() as conn:
        [old] = store_articles(conn, [article(feed_ids[0], "a", simhash=SIMHASH)], now=NOW)
        later = NOW + timedelta(days=8)
        [new] = store_articles(conn, [article(feed_ids[1], "b", simhash=SIMHASH)], now=later)
    assert new.story_id != old.story_id


def test_articles_without_text_never_share_a_story(engine: Engine, feed_ids: list[int]) -> None:
    batch = [article(feed_ids[0], key, text="", simhash=SIMHASH) for key in "ab"]
    with engine.begin() as conn:
        a, b = store_articles(conn, batch, now=NOW)
    assert a.story_id != b.story_id


def test_stored_article_reads_back_whole(engine: Engine, feed_ids: list[int]) -> None:
    new = article(feed_ids[0], "a", simhash=SIMHASH)
    with engine.begin() as conn:
        [stored] = store_articles(conn, [new], now=NOW)
    with engine.connect() as conn:
        record = get_article(conn, stored.id)
        assert get_article(conn, stored.id + 1) is None
    assert record is not None
    assert ArticleRecord(**{k: v for k, v in asdict(stored).items() if k != "new_story"}) == record
    assert (record.simhash, record.story_id, record.fetched_at) == (SIMHASH, stored.story_id, NOW)
    assert (record.text, record.canonical_url, record.extracted) == (
        new.text,
        new.canonical_url,
        True,
    )
    assert record.published_at == new.published_at
    assert record.published_at is not None and record.published_at.tzinfo == UTC


def test_listing_is_newest_first_and_filters(engine: Engine, feed_ids: list[int]) -> None:
    with engine.begin() as conn:
        for hour, (feed_id, key) in enumerate(
            [(feed_ids[0], "a"), (feed_ids[1], "b"), (feed_ids[0], "c")]
        ):
            store_articles(conn, [article(feed_id, key)], now=NOW + timedelta(hours=hour))
    with engine.connect() as conn:
        assert [a.guid for a in list_articles(conn, limit=10)] == ["guid-c", "guid-b", "guid-a"]
        assert [a.guid for a in list_articles(conn, limit=2)] == ["guid-c", "guid-b"]
        recent = list_articles(conn, since=NOW + timedelta(hours=1), limit=10)
        assert [a.guid for a in recent] == ["guid-c", "guid-b"]
        from_first = list_articles(conn, feed_id=feed_ids[0], limit=10)
        assert [a.guid for a in from_first] == ["guid-c", "guid-a"]


def test_articles_a_concurrent_writer_stored_first_leave_no_trace_in_stories(
    engine: Engine, feed_ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    old = article(feed_ids[0], "a", simhash=SIMHASH)  # too old to be a story candidate
    with engine.begin() as conn:
        store_articles(conn, [old], now=NOW - timedelta(days=30))
    # As if the other writer committed between the known-entry check and the insert.
    monkeypatch.setattr("storage.articles._unknown", lambda _conn, batch: list(batch))
    near_copy = article(feed_ids[1], "b", text="Other words.", simhash=SIMHASH ^ 1)
    with engine.begin() as conn:
        stories_before = conn.execute(select(func.count()).select_from(stories)).scalar_one()
        assert store_articles(conn, [old], now=NOW) == []
        [stored] = store_articles(conn, [old, near_copy], now=NOW)
        stories_after = conn.execute(select(func.count()).select_from(stories)).scalar_one()
        assert story_count(conn, stored.story_id) == 1
    assert stored.new_story
    assert stories_after == stories_before + 1


def test_naive_publication_time_is_refused(engine: Engine, feed_ids: list[int]) -> None:
    naive = replace(article(feed_ids[0], "a"), published_at=datetime(2025, 3, 1, 12))
    with pytest.raises(StatementError) as raised, engine.begin() as conn:
        store_articles(conn, [naive], now=NOW)
    assert isinstance(raised.value.orig, ValueError)
