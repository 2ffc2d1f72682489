"""Local HTTP servers for the benchmarks: a handler class served on 127.0.0.1 in threads, and slow
hosts on their own loopback addresses, in a process of their own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Process, Queue
from threading import Thread
from typing import ClassVar

# Path -> (content type, body); what every slow host answers.
Responses = Mapping[str, tuple[str, bytes]]
_EMPTY_FEED = (
    "application/rss+xml",
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `handler` on a free port of `host` until the block ends; yields the base URL."""
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _SlowHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    latency_s = 0.1
    site: ClassVar[Responses] = {}
    # Headers and body leave in two writes: with Nagle on, the body waits for a delayed ACK
    # (40 ms), which would measure the test server, not the fetcher.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        time.sleep(self.latency_s)
        content_type, body = self.site.get(self.path, _EMPTY_FEED)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve(
    hosts: int,
    latency_s: float,
    responses: Callable[[int], Responses] | None,
    addresses: Queue[list[str]],
) -> None:
    # Every host listens on the first one's port, so `responses` can write any host's URLs.
    first = ThreadingHTTPServer(("127.0.0.2", 0), _SlowHandler)
    port = first.server_address[1]
    servers = [
        first,
        *(ThreadingHTTPServer((f"127.0.0.{n + 3}", port), _SlowHandler) for n in range(hosts - 1)),
    ]
    _SlowHandler.latency_s = latency_s
    _SlowHandler.site = responses(port) if responses else {}
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    addresses.put([f"http://127.0.0.{n + 2}:{port}" for n in range(hosts)])
    threading.Event().wait()


@contextmanager
def slow_hosts(
    hosts: int, latency_s: float, responses: Callable[[int], Responses] | None = None
) -> Iterator[list[str]]:
    """`hosts` servers on 127.0.0.2, 127.0.0.3, ... (one port for all) answering every GET after
    `latency_s` with `responses(port)[path]` (an empty feed for other paths), in a process of their
    own so that serving does not take the pipeline's CPU. Yields the hosts' base URLs."""
    addresses: Queue[list[str]] = Queue()
    process = Process(target=_serve, args=(hosts, latency_s, responses, addresses), daemon=True)
    process.start()
    try:
        yield addresses.get(timeout=60)
    finally:
        process.terminate()
        process.join()
