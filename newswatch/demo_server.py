"""A local web server for the demo corpus: three outlets' feeds and pages, and two broken feeds.

It answers conditional requests like a real news site, so a second ingest run over it gets 304s.
"""

from __future__ import annotations

import hashlib
import re
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Final, cast
from urllib.parse import unquote, urlsplit

DEMO_CORPUS_DIR: Final = Path(__file__).with_name("demo_corpus")
PLACEHOLDER: Final = b"{base}"
# The failing feed of the demo: an outlet whose server errors on every request.
FAILING_PATHS: Final = frozenset({"/feeds/down.xml"})

_ROOT_ELEMENT: Final = re.compile(rb"<(?![?!])([A-Za-z][\w:.-]*)")
_FEED_TYPES: Final = {b"rss": "application/rss+xml", b"feed": "application/atom+xml"}


@dataclass(frozen=True)
class _Document:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


class DemoServer:
    """Serves the demo corpus on 127.0.0.1 at a random free port, in a background thread."""

    def __init__(self, corpus_dir: Path | None = None) -> None:
        # Binding here, not in start(), so base_url is known before the corpus is loaded.
        self._server = _CorpusHTTPServer()
        self._server.documents = _load_documents(corpus_dir or DEMO_CORPUS_DIR, self.base_url)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="newswatch-demo-server",
            daemon=True,
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def opml(self) -> str:
        """The demo OPML with every `{base}` filled in."""
        return self._server.documents["/demo.opml"].body.decode("utf-8")

    def feed_urls(self) -> list[str]:
        """The feed URLs the OPML lists, in document order, broken ones included."""
        root = ET.fromstring(self._server.documents["/demo.opml"].body)
        return [url for outline in root.iter("outline") if (url := outline.get("xmlUrl"))]

    def start(self) -> DemoServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        # shutdown() waits for serve_forever(), which never ran if start() was not called.
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _load_documents(corpus_dir: Path, base_url: str) -> dict[str, _Document]:
    """Every servable file by URL path: pages keep their folder layout, feeds sit under /feeds/."""
    sources = {"/demo.opml": corpus_dir / "demo.opml"}
    sources |= {f"/feeds/{path.name}": path for path in (corpus_dir / "feeds").glob("*.xml")}
    pages = corpus_dir / "pages"
    sources |= {"/" + path.relative_to(pages).as_posix(): path for path in pages.rglob("*.html")}
    return {url: _document(path, base_url) for url, path in sources.items()}


def _document(path: Path, base_url: str) -> _Document:
    body = path.read_bytes().replace(PLACEHOLDER, base_url.encode("ascii"))
    modified = datetime.fromtimestamp(int(path.stat().st_mtime), tz=UTC)
    return _Document(
        body=body,
        content_type=_content_type(path, body),
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        last_modified=modified,
    )


def _content_type(path: Path, body: bytes) -> str:
    if path.suffix == ".opml":
        return "text/x-opml; charset=utf-8"
    if path.suffix == ".xml":
        # Decided by the root element, as a misconfigured site may answer a feed URL with HTML.
        root = _ROOT_ELEMENT.search(body)
        feed_type = _FEED_TYPES.get(root.group(1).lower()) if root else None
        if feed_type:
            return f"{feed_type}; charset=utf-8"
    return "text/html; charset=utf-8"


class _CorpusHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.documents: dict[str, _Document] = {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "newswatch-demo/1"
    # Headers and body are separate writes: with Nagle on, every keep-alive request stalls ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def _respond(self, *, with_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        documents = cast(_CorpusHTTPServer, self.server).documents
        if path in FAILING_PATHS:
            self._send_plain(500, b"Internal Server Error: upstream CMS unavailable\n", with_body)
            return
        document = documents.get(path)
        if document is None:
            self._send_plain(404, b"Not Found\n", with_body)
            return
        if self._not_modified(document):
            self.send_response(304)
            self._send_validators(document)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", document.content_type)
        self.send_header("Content-Length", str(len(document.body)))
        self._send_validators(document)
        self.end_headers()
        if with_body:
            self._write(document.body)

    def _not_modified(self, document: _Document) -> bool:
        # RFC 9110: If-None-Match wins; If-Modified-Since only counts when it is absent.
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or document.etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return document.last_modified <= since

    def _send_validators(self, document: _Document) -> None:
        self.send_header("ETag", document.etag)
        self.send_header("Last-Modified", format_datetime(document.last_modified, usegmt=True))
        self.send_header("Cache-Control", "no-cache")

    def _send_plain(self, status: int, body: bytes, with_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self._write(body)

    def _write(self, body: bytes) -> None:
        # A client that hangs up early is normal for a crawler; it must not print a traceback.
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
