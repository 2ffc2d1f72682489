"""A real HTTP server on 127.0.0.1 for tests: each path answers with a scripted `Route`."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What one path answers. `etag`/`last_modified` make it answer 304 to a matching conditional GET."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    chunks: int = 1


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    method: str = "GET"
    body: bytes = b""


class LocalWebServer:
    """Serves `routes` on a random free port; records every request it receives."""

    def __init__(self) -> None:
        self.routes: dict[str, Route | Callable[[RecordedRequest], Route]] = {}
        self.requests: list[RecordedRequest] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, route: Route | Callable[[RecordedRequest], Route]) -> str:
        self.routes[path] = route
        return self.url(path)

    def hits(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> LocalWebServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalWebServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler_for(server: LocalWebServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            self._serve(RecordedRequest(self.path, self._header_map()))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            self._serve(RecordedRequest(self.path, self._header_map(), "POST", body))

        def _header_map(self) -> dict[str, str]:
            return {k.lower(): v for k, v in self.headers.items()}

        def _serve(self, request: RecordedRequest) -> None:
            server.requests.append(request)
            found = server.routes.get(self.path)
            if found is None:
                route = Route(body=b"not found", status=404, content_type="text/plain")
            else:
                route = found(request) if callable(found) else found
            if route.delay:
                time.sleep(route.delay)
            if _not_modified(route, request):
                self._answer(Route(status=304, etag=route.etag, last_modified=route.last_modified))
            else:
                self._answer(route)

        def _answer(self, route: Route) -> None:
            body = gzip.compress(route.body) if route.gzip else route.body
            self.send_response(route.status)
            if route.status != 304:
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(body)))
            if route.gzip:
                self.send_header("Content-Encoding", "gzip")
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if route.status == 304:
                return
            try:
                for piece in _split(body, route.chunks):
                    self.wfile.write(piece)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def _not_modified(route: Route, request: RecordedRequest) -> bool:
    if route.etag and request.headers.get("if-none-match") == route.etag:
        return True
    return bool(
        route.last_modified and request.headers.get("if-modified-since") == route.last_modified
    )


def _split(body: bytes, parts: int) -> Iterator[bytes]:
    size = max(1, -(-len(body) // max(1, parts)))
    for start in range(0, len(body), size):
        yield body[start : start + size]
