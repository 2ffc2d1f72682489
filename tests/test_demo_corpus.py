"""The demo corpus and its server: every feed and page is reachable, and the broken feeds break."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import feedparser
import httpx
import pytest

from newswatch.demo_server import DEMO_CORPUS_DIR, DemoServer

BROKEN_FEEDS = ("/feeds/broken.xml", "/feeds/down.xml")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer() as demo:
        yield demo


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=10) as http:
        yield http


def _good_feed_urls(server: DemoServer) -> list[str]:
    return [url for url in server.feed_urls() if not url.endswith(BROKEN_FEEDS)]


def _parse(body: bytes) -> Any:
    return feedparser.parse(io.BytesIO(body))


def _page_urls(server: DemoServer) -> list[str]:
    pages = DEMO_CORPUS_DIR / "pages"
    return [f"{server.base_url}/{p.relative_to(pages).as_posix()}" for p in pages.rglob("*.html")]


def test_opml_lists_three_good_feeds_and_both_broken_ones(server: DemoServer) -> None:
    urls = server.feed_urls()
    assert all(url.startswith(server.base_url + "/feeds/") for url in urls)
    assert len(_good_feed_urls(server)) == 3
    broken = sorted(url.removeprefix(server.base_url) for url in urls if url.endswith(BROKEN_FEEDS))
    assert broken == sorted(BROKEN_FEEDS)
    assert "{base}" not in server.opml()


def test_every_good_feed_answers_200_with_entries(server: DemoServer, client: httpx.Client) -> None:
    kinds = set()
    for url in _good_feed_urls(server):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith(
            ("application/rss+xml", "application/atom+xml")
        )
        parsed = _parse(response.content)
        assert not parsed.bozo, url
        assert 7 <= len(parsed.entries) <= 10, url
        for entry in parsed.entries:
            assert entry.get("id") and entry.get("link") and entry.get("title"), url
            assert entry.get("summary") and entry.get("author"), url
            assert entry.published_parsed[:2] == (2026, 11), url
        kinds.add(parsed.version)
    assert kinds == {"rss20", "atom10"}


def test_every_entry_link_answers_200_with_html(server: DemoServer, client: httpx.Client) -> None:
    links = [
        entry.link
        for url in _good_feed_urls(server)
        for entry in _parse(client.get(url).content).entries
    ]
    assert len(links) >= 24
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_unchanged_feed_is_answered_304(server: DemoServer, client: httpx.Client) -> None:
    url = _good_feed_urls(server)[0]
    first = client.get(url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"')

    by_etag = client.get(url, headers={"If-None-Match": etag})
    by_date = client.get(url, headers={"If-Modified-Since": last_modified})
    changed = client.get(url, headers={"If-None-Match": '"something-else"'})

    assert (by_etag.status_code, by_etag.content) == (304, b"")
    assert by_etag.headers["etag"] == etag
    assert by_date.status_code == 304
    assert changed.status_code == 200


def test_broken_feeds_fail_as_intended(server: DemoServer, client: httpx.Client) -> None:
    down = client.get(server.base_url + "/feeds/down.xml")
    garbage = client.get(server.base_url + "/feeds/broken.xml")

    assert down.status_code == 500
    assert garbage.status_code == 200
    parsed = _parse(garbage.content)
    assert parsed.bozo
    assert parsed.version == ""
    assert parsed.entries == []


def test_unknown_path_is_404(server: DemoServer, client: httpx.Client) -> None:
    assert client.get(server.base_url + "/ledger/2026/11/no-such-story.html").status_code == 404
    assert client.get(server.base_url + "/feeds/demo.opml").status_code == 404


def test_corpus_has_enough_pages_and_no_placeholder_is_served(
    server: DemoServer, client: httpx.Client
) -> None:
    pages = _page_urls(server)
    assert len(pages) >= 20
    for url in [*pages, *server.feed_urls(), server.base_url + "/demo.opml"]:
        response = client.get(url)
        assert b"{base}" not in response.content, url
        assert (response.status_code == 200) != url.endswith("/feeds/down.xml"), url


def test_server_can_stop_without_having_started() -> None:
    DemoServer().stop()
