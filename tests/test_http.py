"""The safe HTTP client against real local servers: limits, conditional GET, redirects, refusals."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from ipaddress import ip_network

import pytest

from extractors.errors import (
    BodyTooLarge,
    ConnectFailed,
    DestinationRefused,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    TooManyRedirects,
)
from extractors.http import Fetcher, FetchResult, HttpPolicy, parse_retry_after
from tests.support.webserver import LocalWebServer, Route

LOOPBACK_ALLOWED = HttpPolicy(allowed_networks=(ip_network("127.0.0.0/8"),))
FEED = b"<rss version='2.0'><channel><title>Harbour news</title></channel></rss>"

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def fetch(url: str, policy: HttpPolicy = LOOPBACK_ALLOWED, **validators: str | None) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(policy) as fetcher:
            return await fetcher.fetch(url, **validators)

    return asyncio.run(run())


def post(url: str, body: bytes, policy: HttpPolicy = LOOPBACK_ALLOWED) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(policy) as fetcher:
            return await fetcher.post(url, body=body, headers={"Content-Type": "application/json"})

    return asyncio.run(run())


@contextlib.asynccontextmanager
async def raw_server(handle: Handler) -> AsyncIterator[str]:
    """A bare HTTP server for answers the scripted web server cannot give; yields its base URL."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}"


def test_page_is_fetched_with_its_headers(web: LocalWebServer) -> None:
    url = web.add(
        "/feed.xml",
        Route(body=FEED, content_type="application/rss+xml", headers={"X-Edition": "Morning"}),
    )

    result = fetch(url)

    assert result.status == 200
    assert result.body == FEED
    assert result.url == result.final_url == url
    assert result.headers["content-type"] == "application/rss+xml"
    assert result.headers["x-edition"] == "Morning"
    assert not result.not_modified


def test_user_agent_and_accept_reach_the_server(web: LocalWebServer) -> None:
    url = web.add("/feed.xml", Route(body=FEED))

    fetch(url, accept="application/rss+xml")

    sent = web.hits("/feed.xml")[0].headers
    assert sent["user-agent"] == LOOPBACK_ALLOWED.user_agent
    assert sent["accept"] == "application/rss+xml"
    assert sent["accept-encoding"] == "gzip, deflate"


def test_gzipped_body_is_decompressed(web: LocalWebServer) -> None:
    url = web.add("/feed.xml", Route(body=FEED, gzip=True))

    assert fetch(url).body == FEED


def test_unchanged_feed_is_answered_304_on_matching_etag(web: LocalWebServer) -> None:
    url = web.add("/feed.xml", Route(body=FEED, etag='"v7"'))

    first = fetch(url)
    again = fetch(url, etag=first.etag)

    assert first.etag == '"v7"'
    assert again.status == 304
    assert again.not_modified
    assert again.body == b""
    assert again.etag == '"v7"'


def test_unchanged_feed_is_answered_304_on_matching_last_modified(web: LocalWebServer) -> None:
    stamp = "Mon, 03 Mar 2025 08:00:00 GMT"
    url = web.add("/feed.xml", Route(body=FEED, last_modified=stamp))

    result = fetch(url, last_modified=fetch(url).last_modified)

    assert web.hits("/feed.xml")[1].headers["if-modified-since"] == stamp
    assert result.not_modified
    assert result.last_modified == stamp


def test_slow_server_times_out(web: LocalWebServer) -> None:
    url = web.add("/slow", Route(body=FEED, delay=1))
    policy = HttpPolicy(read_timeout=0.3, allowed_networks=LOOPBACK_ALLOWED.allowed_networks)

    with pytest.raises(FetchTimeout, match=r"timed out after 0\.3 s waiting for 127\.0\.0\.1"):
        fetch(url, policy)


def test_body_announced_larger_than_limit_is_refused(web: LocalWebServer) -> None:
    url = web.add("/huge", Route(body=b"x" * 50_000, chunks=10))
    policy = HttpPolicy(max_body_bytes=2048, allowed_networks=LOOPBACK_ALLOWED.allowed_networks)

    with pytest.raises(BodyTooLarge, match=r"body larger than 2\.0 KB"):
        fetch(url, policy)


def test_endless_body_without_length_is_cut_off() -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
        with contextlib.suppress(ConnectionError):
            while not writer.is_closing():
                writer.write(b"x" * 4096)
                await writer.drain()

    async def run() -> None:
        policy = HttpPolicy(max_body_bytes=64_000, allowed_networks=(ip_network("127.0.0.1"),))
        async with raw_server(endless) as base, Fetcher(policy) as fetcher:
            with pytest.raises(BodyTooLarge):
                await fetcher.fetch(base + "/stream")

    asyncio.run(run())


def test_trickling_server_is_cut_off_by_the_total_timeout() -> None:
    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
        with contextlib.suppress(ConnectionError):
            while not writer.is_closing():
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(0.05)

    async def run() -> None:
        policy = HttpPolicy(
            read_timeout=0.5, total_timeout=0.6, allowed_networks=(ip_network("127.0.0.1"),)
        )
        async with raw_server(trickle) as base, Fetcher(policy) as fetcher:
            with pytest.raises(FetchTimeout, match=r"took longer than 0\.6 s in all"):
                await fetcher.fetch(base + "/trickle")

    asyncio.run(run())


def test_gzip_bomb_is_refused(web: LocalWebServer) -> None:
    url = web.add("/bomb", Route(body=bytes(2_000_000), gzip=True))
    policy = HttpPolicy(max_body_bytes=100_000, allowed_networks=LOOPBACK_ALLOWED.allowed_networks)

    with pytest.raises(BodyTooLarge, match=r"body larger than 97\.7 KB"):
        fetch(url, policy)


def test_redirect_chain_is_followed(web: LocalWebServer) -> None:
    web.add("/old", Route(status=301, headers={"Location": "/moved"}))
    web.add("/moved", Route(status=302, headers={"Location": web.url("/latest")}))
    web.add("/latest", Route(status=307, headers={"Location": "feed.xml"}))
    final = web.add("/feed.xml", Route(body=FEED))

    result = fetch(web.url("/old"))

    assert result.url == web.url("/old")
    assert result.final_url == final
    assert result.body == FEED


def test_too_many_redirects_are_refused(web: LocalWebServer) -> None:
    url = web.add("/loop", Route(status=302, headers={"Location": "/loop"}))
    policy = HttpPolicy(max_redirects=2, allowed_networks=LOOPBACK_ALLOWED.allowed_networks)

    with pytest.raises(TooManyRedirects, match="more than 2 redirects"):
        fetch(url, policy)
    assert len(web.hits("/loop")) == 3


def test_loopback_is_refused_unless_allowed(web: LocalWebServer) -> None:
    url = web.add("/feed.xml", Route(body=FEED))

    with pytest.raises(DestinationRefused, match=r"refused destination 127\.0\.0\.1 \(loopback"):
        fetch(url, HttpPolicy())
    assert web.hits("/feed.xml") == []


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://10.0.0.1/feed.xml", r"10\.0\.0\.1 \(private address\)"),
        ("http://169.254.169.254/latest/meta-data/", r"169\.254\.169\.254 \(link-local address\)"),
    ],
)
def test_redirect_to_a_private_address_is_refused(
    web: LocalWebServer, location: str, reason: str
) -> None:
    url = web.add("/jump", Route(status=302, headers={"Location": location}))

    with pytest.raises(DestinationRefused, match=reason) as refused:
        fetch(url)
    assert refused.value.url == url


def test_refused_redirect_never_connects_to_its_target(web: LocalWebServer) -> None:
    with socket.socket() as trap:
        trap.bind(("127.0.0.2", 0))
        trap.listen()
        trap.setblocking(False)
        target = f"http://127.0.0.2:{trap.getsockname()[1]}/secret"
        url = web.add("/jump", Route(status=302, headers={"Location": target}))
        only_first = HttpPolicy(allowed_networks=(ip_network("127.0.0.1"),))

        with pytest.raises(DestinationRefused, match=r"127\.0\.0\.2"):
            fetch(url, only_first)
        with pytest.raises(BlockingIOError):
            trap.accept()


@pytest.mark.parametrize("url", ["ftp://example.org/feed.xml", "file:///srv/feed.xml"])
def test_non_http_scheme_is_refused(url: str) -> None:
    with pytest.raises(DestinationRefused, match="only http and https"):
        fetch(url)


def test_redirect_to_a_non_http_scheme_is_refused(web: LocalWebServer) -> None:
    url = web.add("/jump", Route(status=301, headers={"Location": "ftp://example.org/feed"}))

    with pytest.raises(DestinationRefused, match="refused scheme ftp"):
        fetch(url)


def test_server_error_raises_http_status_error(web: LocalWebServer) -> None:
    url = web.add("/broken", Route(body=b"oops", status=500))

    with pytest.raises(HttpStatusError) as failed:
        fetch(url)
    assert failed.value.status == 500
    assert str(failed.value) == "HTTP 500 Internal Server Error"
    assert failed.value.retry_after is None


def test_rate_limit_carries_retry_after(web: LocalWebServer) -> None:
    url = web.add("/busy", Route(status=429, headers={"Retry-After": "120"}))

    with pytest.raises(HttpStatusError) as failed:
        fetch(url)
    assert failed.value.status == 429
    assert failed.value.retry_after == 120


def test_closed_port_raises_connect_failed() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(ConnectFailed, match=r"could not connect to 127\.0\.0\.1"):
        fetch(f"http://127.0.0.1:{port}/feed.xml")


def test_fetch_many_keeps_order_and_returns_errors(web: LocalWebServer) -> None:
    first = web.add("/one.xml", Route(body=b"one"))
    missing = web.url("/missing.xml")
    third = web.add("/three.xml", Route(body=b"three"))

    async def run() -> list[FetchResult | FetchError]:
        async with Fetcher(LOOPBACK_ALLOWED) as fetcher:
            return await fetcher.fetch_many([first, missing, "ftp://example.org/", third])

    one, absent, refused, three = asyncio.run(run())

    assert isinstance(one, FetchResult) and one.body == b"one"
    assert isinstance(absent, HttpStatusError) and absent.status == 404
    assert isinstance(refused, DestinationRefused)
    assert isinstance(three, FetchResult) and three.body == b"three"


def test_requests_to_one_host_respect_the_concurrency_limit() -> None:
    limit = 2
    active = peak = 0
    overflow = asyncio.Event()

    async def counting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal active, peak
        await reader.readuntil(b"\r\n\r\n")
        active += 1
        peak = max(peak, active)
        if active > limit:
            overflow.set()
        # Hold the answer a moment so that requests beyond the limit, if sent, overlap.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(overflow.wait(), 0.2)
        active -= 1
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    async def run() -> list[FetchResult | FetchError]:
        policy = HttpPolicy(per_host_concurrency=limit, allowed_networks=(ip_network("127.0.0.1"),))
        async with raw_server(counting) as base, Fetcher(policy) as fetcher:
            return await fetcher.fetch_many([f"{base}/page{n}" for n in range(5)])

    results = asyncio.run(run())

    assert all(isinstance(result, FetchResult) for result in results)
    assert peak == limit


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("Wed, 01 Jan 2025 12:02:00 GMT", 120.0),
        ("Wed, 01 Jan 2025 11:00:00 GMT", 0.0),
        ("30", 30.0),
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after_reads_seconds_and_http_dates(
    value: str | None, seconds: float | None
) -> None:
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)

    assert parse_retry_after(value, now=now) == seconds


def test_post_sends_its_body_and_headers(web: LocalWebServer) -> None:
    url = web.add("/hook", Route(body=b"ok", content_type="text/plain"))

    result = post(url, b'{"alert": 1}')

    assert (result.status, result.body) == (200, b"ok")
    request = web.hits("/hook")[0]
    assert (request.method, request.body) == ("POST", b'{"alert": 1}')
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == LOOPBACK_ALLOWED.user_agent


def test_post_does_not_follow_redirects(web: LocalWebServer) -> None:
    elsewhere = web.add("/elsewhere", Route(body=b"ok"))
    url = web.add("/hook", Route(status=307, headers={"Location": elsewhere}))

    with pytest.raises(HttpStatusError) as failed:
        post(url, b"{}")
    assert failed.value.status == 307
    assert web.hits("/elsewhere") == []


def test_post_to_loopback_is_refused_unless_allowed(web: LocalWebServer) -> None:
    url = web.add("/hook", Route(body=b"ok"))

    with pytest.raises(DestinationRefused, match="loopback"):
        post(url, b"{}", HttpPolicy())
    assert web.requests == []


def test_post_error_status_carries_retry_after(web: LocalWebServer) -> None:
    url = web.add("/hook", Route(status=429, headers={"Retry-After": "30"}))

    with pytest.raises(HttpStatusError) as failed:
        post(url, b"{}")
    assert (failed.value.status, failed.value.retry_after) == (429, 30)


def test_post_answer_is_held_to_the_body_limit(web: LocalWebServer) -> None:
    url = web.add("/hook", Route(body=b"x" * 2048))

    with pytest.raises(BodyTooLarge):
        post(
            url,
            b"{}",
            HttpPolicy(max_body_bytes=1024, allowed_networks=LOOPBACK_ALLOWED.allowed_networks),
        )


def test_waiting_for_a_slot_on_a_busy_host_is_not_counted_in_the_total_timeout(
    web: LocalWebServer,
) -> None:
    urls = [web.add(f"/section{n}.xml", Route(body=b"<rss/>", delay=0.3)) for n in range(6)]
    policy = HttpPolicy(
        per_host_concurrency=1,
        total_timeout=1.0,
        allowed_networks=LOOPBACK_ALLOWED.allowed_networks,
    )

    async def run() -> list[FetchResult | FetchError]:
        async with Fetcher(policy) as fetcher:
            return await fetcher.fetch_many(urls)

    # One at a time, the last waits about 1.5 s for its turn but takes 0.3 s itself.
    results = asyncio.run(run())

    assert [r.status for r in results if isinstance(r, FetchResult)] == [200] * 6
