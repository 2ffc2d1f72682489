"""Fetching efficiency: requests in flight at once against servers that answer after a fixed
latency, compared with the ideal rate (concurrency / latency). Each of `hosts` servers listens on
its own loopback address (127.0.0.x), so per-host limits apply as they do on the web."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_network
from multiprocessing import Process, Queue

from extractors.http import Fetcher, FetchResult, HttpPolicy

_BODY = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    latency_s = 0.1
    # Headers and body leave in two writes: with Nagle on, the body waits for a delayed ACK
    # (40 ms), which would measure the test server, not the fetcher.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        time.sleep(self.latency_s)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(_BODY)))
        self.end_headers()
        self.wfile.write(_BODY)


def _serve(hosts: int, latency_s: float, addresses: Queue[list[str]]) -> None:
    _Handler.latency_s = latency_s
    servers = [ThreadingHTTPServer((f"127.0.0.{n + 2}", 0), _Handler) for n in range(hosts)]
    for server in servers[1:]:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    addresses.put([f"http://{s.server_address[0]!s}:{s.server_address[1]}" for s in servers])
    servers[0].daemon_threads = True
    servers[0].serve_forever()


@contextmanager
def slow_hosts(hosts: int, latency_s: float) -> Iterator[list[str]]:
    """`hosts` servers on 127.0.0.2, 127.0.0.3, ... each answering every GET after `latency_s`,
    in a process of their own so that serving does not take the fetcher's CPU."""
    addresses: Queue[list[str]] = Queue()
    process = Process(target=_serve, args=(hosts, latency_s, addresses), daemon=True)
    process.start()
    try:
        yield addresses.get(timeout=30)
    finally:
        process.terminate()
        process.join()


def run(concurrency: int = 50, latency_s: float = 0.1, rounds: int = 6) -> dict[str, float]:
    """`concurrency` hosts with one request each in flight, `rounds` times over; the efficiency is
    the ideal time (rounds x latency) over the time taken."""
    policy = HttpPolicy(allowed_networks=(ip_network("127.0.0.0/8"),), per_host_concurrency=1)
    with slow_hosts(concurrency, latency_s) as bases:
        urls = [f"{base}/feed/{r}.xml" for r in range(rounds) for base in bases]

        async def fetch_all() -> float:
            async with Fetcher(policy) as fetcher:
                await fetcher.fetch_many(bases)  # connections open, as in a running worker
                started = time.perf_counter()
                results = await fetcher.fetch_many(urls)
                took = time.perf_counter() - started
            assert all(isinstance(r, FetchResult) for r in results), results[:3]
            return took

        seconds = asyncio.run(fetch_all())
    ideal = rounds * latency_s
    return {
        "requests": len(urls),
        "concurrency": concurrency,
        "latency_s": latency_s,
        "seconds": seconds,
        "efficiency": ideal / seconds,
    }
