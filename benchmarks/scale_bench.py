"""Cost of a cycle as the number of feeds grows: n local feeds that have nothing new (each answers
304 to its conditional GET), polled by the real pipeline; ms per feed poll and database queries per
feed at each n. Flat means no per-feed query grows with the table and no stage is quadratic."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from ipaddress import ip_network
from typing import Any

from sqlalchemy import Engine, event

from benchmarks.servers import serving
from flows.pipeline import run_cycle
from flows.settings import Settings
from storage.db import insert_many, make_engine, upgrade
from storage.models import feeds

ETAG = '"v1"'
_EMPTY_FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title>'
    b"<link>http://127.0.0.1/</link><description>nothing new</description></channel></rss>"
)


@contextmanager
def quiet_feeds() -> Iterator[str]:
    """A server where every /feed/N.xml is an empty feed with an ETag, and 304 once it is known."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            known = self.headers.get("If-None-Match") == ETAG
            body = b"" if known else _EMPTY_FEED
            self.send_response(304 if known else 200)
            self.send_header("ETag", ETAG)
            if not known:
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serving(Handler) as base_url:
        yield base_url


@contextmanager
def counted_queries() -> Iterator[list[int]]:
    """Count every statement any engine sends while the block runs."""
    count = [0]

    def on_execute(*_args: Any) -> None:
        count[0] += 1

    event.listen(Engine, "before_cursor_execute", on_execute)
    try:
        yield count
    finally:
        event.remove(Engine, "before_cursor_execute", on_execute)


def _add_feeds(database_url: str, base_url: str, n: int) -> None:
    now = datetime.now(UTC)
    rows = [
        {
            "url": f"{base_url}/feed/{i}.xml",
            "added_at": now,
            "next_poll_at": now,
            "poll_interval_s": 300,
            "consecutive_failures": 0,
        }
        for i in range(n)
    ]
    engine = make_engine(database_url)
    with engine.begin() as conn:
        insert_many(conn, feeds, rows)
    engine.dispose()


def run(database_url: str, n: int) -> dict[str, float]:
    """Two cycles over n quiet feeds (the first learns the ETags); the second, all 304s, is timed."""
    upgrade(database_url)
    with quiet_feeds() as base_url:
        _add_feeds(database_url, base_url, n)
        settings = Settings(
            database_url=database_url,
            allowed_private_networks=(ip_network("127.0.0.0/8"),),
            feed_batch_size=n,
        )
        run_cycle(settings, include_all=True)
        with counted_queries() as queries:
            started = time.perf_counter()
            summary = run_cycle(settings, include_all=True)
            seconds = time.perf_counter() - started
    assert summary.feeds_not_modified == n, summary
    return {
        "feeds": n,
        "ms_per_feed": seconds * 1000 / n,
        "queries_per_feed": queries[0] / n,
        "seconds": seconds,
    }
