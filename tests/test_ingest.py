"""One ingest cycle end to end, on SQLite and real PostgreSQL, against a real local web server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from ipaddress import ip_network
from pathlib import Path

from flows.pipeline import run_cycle
from flows.settings import Settings
from storage import articles as article_store
from storage import events as event_store
from storage import feeds as feed_store
from storage.db import make_engine, upgrade
from tests.support.pages import (
    CSTO_FREEZE,
    HARBOUR_STORM,
    TROOPS_TO_RUSSIA,
    Story,
    article_page,
    rss_feed,
)
from tests.support.webserver import LocalWebServer, Route

RSS = "application/rss+xml"
FIXTURES = Path(__file__).parent / "fixtures"


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "allowed_private_networks": (ip_network("127.0.0.0/8"),),
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "max_body_bytes": 200_000,
    }
    values.update(overrides)
    return Settings.model_validate(values)


def add_feeds(database_url: str, *urls: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.begin() as conn:
        for url in urls:
            feed_store.add_feed(conn, url, None, now=datetime.now(UTC))
    engine.dispose()


def feeds_by_url(database_url: str) -> dict[str, feed_store.FeedRecord]:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        feeds = {f.url: f for f in feed_store.list_feeds(conn)}
    engine.dispose()
    return feeds


def stored_articles(database_url: str) -> list[article_store.ArticleRecord]:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        articles = article_store.list_articles(conn, since=None, feed_id=None, limit=1000)
    engine.dispose()
    return articles


def serve_stories(web: LocalWebServer, prefix: str, stories: list[Story]) -> str:
    for story in stories:
        web.add(f"{prefix}/{story.slug}.html", Route(body=article_page(story)))
    feed = rss_feed(web.url(prefix), stories)
    return web.add(
        f"{prefix}/feed.xml",
        Route(body=feed, content_type=RSS, etag=f'"{prefix}-v1"', last_modified="Tue, 24 Nov 2026"),
    )


def test_cycle_stores_articles_once_and_unchanged_feeds_answer_304(
    web: LocalWebServer, database_url: str
) -> None:
    first_feed = serve_stories(web, "/gazette", [CSTO_FREEZE, HARBOUR_STORM])
    second_feed = serve_stories(web, "/wire", [TROOPS_TO_RUSSIA])
    add_feeds(database_url, first_feed, second_feed)
    settings = make_settings(database_url)

    first = run_cycle(settings)
    second = run_cycle(settings, include_all=True)

    assert (first.feeds_fetched, first.articles_stored, first.extraction_failures) == (2, 3, 0)
    assert (second.feeds_not_modified, second.articles_stored, second.new_entries) == (2, 0, 0)
    assert web.hits("/wire/feed.xml")[-1].headers["if-none-match"] == '"/wire-v1"'
    articles = {a.title: a for a in stored_articles(database_url)}
    csto = articles[CSTO_FREEZE.title]
    assert "frozen its participation" in csto.text
    assert "Reader42" not in csto.text and "Advertisement" not in csto.text
    assert csto.language == "en" and csto.published_at == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    assert first.events_by_type.get("alliance_membership") == 1


def test_cycle_skips_feeds_not_yet_due(web: LocalWebServer, database_url: str) -> None:
    add_feeds(database_url, serve_stories(web, "/gazette", [HARBOUR_STORM]))
    settings = make_settings(database_url)
    run_cycle(settings)

    again = run_cycle(settings)

    assert again.feeds_polled == 0
    assert feeds_by_url(database_url)[web.url("/gazette/feed.xml")].next_poll_at > datetime.now(UTC)


def test_broken_feeds_are_marked_failing_and_the_rest_of_the_run_goes_on(
    web: LocalWebServer, database_url: str
) -> None:
    good = serve_stories(web, "/gazette", [CSTO_FREEZE])
    broken = {
        "slow": web.add("/slow.xml", Route(body=b"<rss/>", delay=2.0, content_type=RSS)),
        "server error": web.add("/500.xml", Route(body=b"oops", status=500)),
        "html page": web.add("/page.xml", Route(body=article_page(HARBOUR_STORM))),
        "garbage": web.add(
            "/garbage.xml", Route(body=b"\x00\x01 not <xml at all", content_type=RSS)
        ),
        "huge": web.add("/huge.xml", Route(body=b"<rss>" + b" " * 400_000, content_type=RSS)),
        "private links": web.add(
            "/private.xml",
            Route(body=rss_feed("http://10.20.30.40/internal", [HARBOUR_STORM]), content_type=RSS),
        ),
    }
    add_feeds(database_url, good, *broken.values())

    summary = run_cycle(make_settings(database_url))

    assert summary.articles_stored == 1 and summary.feeds_failed == len(broken)
    feeds = feeds_by_url(database_url)
    reasons = {kind: feeds[url].last_error or "" for kind, url in broken.items()}
    assert "timed out" in reasons["slow"]
    assert "500" in reasons["server error"]
    assert "HTML" in reasons["html page"]
    assert reasons["garbage"]
    assert "larger than" in reasons["huge"]
    assert "10.20.30.40" in reasons["private links"]
    assert all(feeds[url].consecutive_failures == 1 for url in broken.values())
    assert feeds[good].last_error is None and feeds[good].consecutive_failures == 0


def test_rate_limited_feed_waits_as_long_as_retry_after_asks(
    web: LocalWebServer, sqlite_url: str
) -> None:
    url = web.add("/busy.xml", Route(status=429, headers={"Retry-After": "7200"}))
    add_feeds(sqlite_url, url)

    run_cycle(make_settings(sqlite_url))

    feed = feeds_by_url(sqlite_url)[url]
    wait = (feed.next_poll_at - datetime.now(UTC)).total_seconds()
    assert 7000 < wait <= 7200 and "429" in (feed.last_error or "")


def test_page_that_cannot_be_extracted_keeps_the_feed_summary(
    web: LocalWebServer, sqlite_url: str
) -> None:
    url = serve_stories(web, "/gazette", [CSTO_FREEZE])
    web.add(
        "/gazette/armenia-csto.html", Route(body=b'<html><body><div id="app"></div></body></html>')
    )
    add_feeds(sqlite_url, url)

    summary = run_cycle(make_settings(sqlite_url))

    [article] = stored_articles(sqlite_url)
    assert summary.extraction_failures == 1
    assert not article.extracted and article.text == CSTO_FREEZE.paragraphs[0]


def test_syndicated_copy_on_a_second_outlet_joins_the_first_story(
    web: LocalWebServer, database_url: str
) -> None:
    original = serve_stories(web, "/gazette", [TROOPS_TO_RUSSIA])
    copy = Story(
        "kursk-soldiers",
        "Thousands more Pyongyang troops reach Kursk, officials say",
        (*TROOPS_TO_RUSSIA.paragraphs, "The report could not be verified independently."),
    )
    web.add("/courier/kursk-soldiers.html", Route(body=article_page(copy, outlet="Valley Courier")))
    syndicated = web.add("/courier/feed.xml", Route(body=rss_feed(web.url("/courier"), [copy])))
    add_feeds(database_url, original, syndicated)

    summary = run_cycle(make_settings(database_url))

    stories = {a.story_id for a in stored_articles(database_url)}
    assert summary.articles_stored == 2 and summary.joined_stories == 1 and len(stories) == 1


def test_a_rejected_watchlist_leaves_the_last_good_one_in_force(
    web: LocalWebServer, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "watchlist"
    folder.mkdir()
    actors = folder / "actors.yaml"
    actors.write_text((FIXTURES / "watchlist" / "actors.yaml").read_text())
    settings = make_settings(database_url, watchlist_path=folder)
    add_feeds(database_url, serve_stories(web, "/gazette", [HARBOUR_STORM]))
    first = run_cycle(settings)
    actors.write_text(actors.read_text() + "  - id: RUS\n    kind: state\n    name: Russia again\n")
    add_feeds(database_url, serve_stories(web, "/wire", [TROOPS_TO_RUSSIA]))

    second = run_cycle(settings)

    assert first.watchlist_rejected is None
    assert second.watchlist_version == first.watchlist_version
    assert "actors.yaml:" in (second.watchlist_rejected or "")
    assert "duplicate actor id 'RUS'" in (second.watchlist_rejected or "")
    # The headline ("... soldiers arrive in Russia's Kursk region") and the text each report it.
    assert second.events_by_type.get("troop_deployment") == 2
    engine = make_engine(database_url)
    with engine.connect() as conn:
        found = event_store.list_events(
            conn, since=None, event_type="troop_deployment", actor_id=None, limit=10
        )
    engine.dispose()
    assert {event.watchlist_version for event in found} == {first.watchlist_version}


def test_a_json_feed_is_ingested_like_rss(web: LocalWebServer, database_url: str) -> None:
    web.add("/json/armenia-csto.html", Route(body=article_page(CSTO_FREEZE)))
    feed = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Yerevan Desk",
            "items": [
                {
                    "id": "csto-1",
                    "url": "/json/armenia-csto.html",
                    "title": CSTO_FREEZE.title,
                    "date_published": "2026-11-24T09:30:00Z",
                }
            ],
        }
    )
    url = web.add(
        "/json/feed.json", Route(body=feed.encode(), content_type="application/feed+json")
    )
    add_feeds(database_url, url)

    summary = run_cycle(make_settings(database_url))

    assert (summary.feeds_fetched, summary.articles_stored) == (1, 1)
    (article,) = stored_articles(database_url)
    assert article.title == CSTO_FREEZE.title and "frozen its participation" in article.text
    assert summary.events_by_type.get("alliance_membership") == 1
    assert "application/feed+json" in web.hits("/json/feed.json")[0].headers["accept"]
