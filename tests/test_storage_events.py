"""Events: stored once per article, span and watchlist version, with their actors in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from storage.articles import NewArticle, store_articles
from storage.events import EventActor, NewEvent, events_for_articles, list_events, store_events
from storage.feeds import add_feed

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PRK = EventActor("PRK", "North Korea", "source")
RUS = EventActor("RUS", "Russia", "target")
LAVROV = EventActor("LAVROV", "Sergei Lavrov", "source", country="RUS")


@pytest.fixture
def article_ids(engine: Engine) -> list[int]:
    with engine.begin() as conn:
        feed_id = add_feed(conn, "https://feed.example/rss", now=NOW).id
        batch = [
            NewArticle(
                feed_id=feed_id,
                guid=key,
                url=f"https://news.example/{key}",
                canonical_url=f"https://news.example/{key}",
                title=key,
                author=None,
                text=f"Text {key}.",
                summary=None,
                language="en",
                published_at=None,
                simhash=number << 20,
                content_hash=key,
                extracted=False,
                extraction_error="HTTP 403",
            )
            for number, key in enumerate(["a", "b"], start=1)
        ]
        return [stored.id for stored in store_articles(conn, batch, now=NOW)]


def event(
    article_id: int,
    event_type: str = "troop_deployment",
    *,
    span: tuple[int, int] = (0, 40),
    version: str = "2025.1",
    actors: tuple[EventActor, ...] = (PRK, RUS),
) -> NewEvent:
    return NewEvent(
        article_id=article_id,
        event_type=event_type,
        modality="future",
        confidence=0.8,
        evidence="Pyongyang will send troops to Russia.",
        span_start=span[0],
        span_end=span[1],
        watchlist_version=version,
        actors=actors,
    )


def test_storing_events_twice_stores_them_once(engine: Engine, article_ids: list[int]) -> None:
    batch = [event(article_ids[0]), event(article_ids[0], span=(50, 90)), event(article_ids[1])]
    with engine.begin() as conn:
        assert store_events(conn, batch, now=NOW) == 3
    with engine.begin() as conn:
        assert store_events(conn, batch, now=NOW) == 0
        assert store_events(conn, [event(article_ids[0], version="2025.2")], now=NOW) == 1
        assert len(events_for_articles(conn, article_ids)) == 4


def test_repeats_within_a_batch_are_stored_once(engine: Engine, article_ids: list[int]) -> None:
    repeat = event(article_ids[0], actors=(LAVROV,))
    with engine.begin() as conn:
        assert store_events(conn, [event(article_ids[0]), repeat], now=NOW) == 1
        [stored] = events_for_articles(conn, [article_ids[0]])
    assert stored.actors == (PRK, RUS)


def test_events_read_back_with_their_actors_in_order(
    engine: Engine, article_ids: list[int]
) -> None:
    batch = [
        event(article_ids[0], "diplomatic_protest", span=(50, 90), actors=(LAVROV, PRK)),
        event(article_ids[0], actors=()),
        event(article_ids[1]),
    ]
    with engine.begin() as conn:
        store_events(conn, batch, now=NOW)
    with engine.connect() as conn:
        first, second = events_for_articles(conn, [article_ids[0]])
    assert (first.event_type, first.actors) == ("troop_deployment", ())
    assert (second.event_type, second.span_start, second.span_end) == ("diplomatic_protest", 50, 90)
    assert second.actors == (LAVROV, PRK)
    assert second.actors[0].country == "RUS"
    assert (second.modality, second.confidence, second.watchlist_version) == (
        "future",
        0.8,
        "2025.1",
    )
    assert second.detected_at == NOW
    assert second.story_id > 0


def test_listing_filters_by_time_type_and_actor(engine: Engine, article_ids: list[int]) -> None:
    with engine.begin() as conn:
        store_events(conn, [event(article_ids[0])], now=NOW)
        later = [event(article_ids[1], "diplomatic_protest", actors=(LAVROV,))]
        store_events(conn, later, now=NOW + timedelta(hours=1))
    with engine.connect() as conn:
        assert [e.event_type for e in list_events(conn)] == [
            "diplomatic_protest",
            "troop_deployment",
        ]
        assert len(list_events(conn, limit=1)) == 1
        assert len(list_events(conn, since=NOW + timedelta(minutes=1))) == 1
        assert [e.article_id for e in list_events(conn, actor_id="PRK")] == [article_ids[0]]
        assert list_events(conn, event_type="sanctions") == []
        [protest] = list_events(conn, event_type="diplomatic_protest", actor_id="LAVROV")
    assert protest.actors == (LAVROV,)
