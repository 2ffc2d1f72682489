"""Timers for each ingest stage, per article, on in-memory pages and feeds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from ipaddress import ip_network

import trafilatura

from benchmarks.servers import serving
from extractors.articles import extract_article
from extractors.http import Fetcher, HttpPolicy


@dataclass(frozen=True)
class Timing:
    stage: str
    items: int
    unit: str
    ms_per_item: float


def _per_item(stage: str, unit: str, items: int, run: Callable[[], object]) -> Timing:
    """Time `run` and spread it over `items`."""
    started = time.perf_counter()
    run()
    return Timing(stage, items, unit, (time.perf_counter() - started) * 1000 / max(items, 1))


def trafilatura_alone(pages: Sequence[bytes]) -> Timing:
    def run() -> None:
        for page in pages:
            trafilatura.bare_extraction(page, fast=True, with_metadata=True)

    return _per_item("trafilatura alone (fast)", "pages", len(pages), run)


def extract(pages: Sequence[bytes]) -> tuple[Timing, list[str]]:
    texts: list[str] = []

    def run() -> None:
        for page in pages:
            texts.append(extract_article(page, url="http://127.0.0.1/article").text)

    return _per_item("extract (extract_article)", "pages", len(pages), run), texts


def fetch_client_cpu(pages: Sequence[bytes]) -> Timing:
    """CPU of the fetching thread only (the local server runs in other threads)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            body = pages[int(self.path.strip("/"))]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    policy = HttpPolicy(allowed_networks=(ip_network("127.0.0.0/8"),), per_host_concurrency=8)
    with serving(Handler) as base_url:
        urls = [f"{base_url}/{i}" for i in range(len(pages))]

        async def fetch_all() -> None:
            async with Fetcher(policy) as fetcher:
                await fetcher.fetch_many(urls)

        started = time.thread_time()
        asyncio.run(fetch_all())
        cpu_ms = (time.thread_time() - started) * 1000
    return Timing("fetch (client CPU)", len(pages), "pages", cpu_ms / max(len(pages), 1))
