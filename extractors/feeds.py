"""Feed parsing: RSS, Atom or RDF bytes and JSON Feed 1.0/1.1 to plain `FeedEntry` values.

Well-formed RSS 2.0, Atom 1.0 and RSS 1.0 take the lxml fast path (`extractors.feed_xml`), which
gives what feedparser gives for the same body; anything else (malformed, DOCTYPE, odd encodings or
media types, RSS 0.9x extensions, ...) is read by feedparser, as `parse_feed_with_feedparser`
always does.

A feed that parses despite errors keeps feedparser's complaint as a warning; a body that is no feed
at all raises `FeedParseError` with the reason an operator reads in `feeds list`.
"""

from __future__ import annotations

import io
import json
import re
import time
import xml.sax
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree

from extractors.errors import FeedParseError
from extractors.feed_xml import read_feed_xml

_EMAIL_AND_NAME = re.compile(r"\S+@\S+\s*\((?P<name>[^()]*)\)")

_JSON_FEED_VERSION = "https://jsonfeed.org/version/1"  # 1 and 1.1
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "hr", "li", "ol", "p", "pre",
        "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
_UNREAD_TAGS = frozenset({"script", "style", "applet"})  # their content is never text
# lxml keeps the content of these as raw text; html.parser, like browsers without frames, reads it
_RAW_TEXT_TAGS = frozenset({"iframe", "noembed", "noframes", "noscript", "xmp"})
_HTML_FRAGMENT = etree.HTMLParser(
    encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True
)

HtmlToText = Callable[[str], str]


@dataclass(frozen=True)
class FeedEntry:
    """One feed item. `summary` is its longest text, so full-content feeds give the full article."""

    guid: str
    url: str
    title: str
    summary: str
    published: datetime | None
    author: str | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    entries: tuple[FeedEntry, ...]
    warning: str | None


def parse_feed(body: bytes, *, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a fetched feed. `url` is the feed's final URL (relative links resolve against it);
    `headers` are the HTTP response headers, so a charset given only there is honoured."""
    return _parse(body, url, headers, fast=True)


def parse_feed_with_feedparser(
    body: bytes, *, url: str, headers: Mapping[str, str] | None = None
) -> ParsedFeed:
    """`parse_feed` with feedparser reading every XML body: the reference the fast path matches."""
    return _parse(body, url, headers, fast=False)


def _parse(body: bytes, url: str, headers: Mapping[str, str] | None, *, fast: bool) -> ParsedFeed:
    if not body.strip():
        raise FeedParseError("not a feed: the body is empty")
    if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return parse_json_feed(body, url=url)
    response_headers = _response_headers(headers, url)
    document = (
        read_feed_xml(body, base_url=url, content_type=response_headers["content-type"])
        if fast
        else None
    )
    if document is not None:
        return _parsed_feed(document.feed, document.entries, url, None, _html_text)
    return _parse_with_feedparser(body, url, response_headers, sanitize=not fast)


def _parse_with_feedparser(
    body: bytes, url: str, response_headers: dict[str, str], *, sanitize: bool
) -> ParsedFeed:
    """feedparser's reading. Unsanitised, the HTML is turned to text by lxml (which leaves scripts
    and styles out), as on the fast path; feedparser's own sanitiser and URI resolver cost more
    than the rest of the parse."""
    result = feedparser.parse(
        io.BytesIO(body),
        response_headers=response_headers,
        resolve_relative_uris=sanitize,
        sanitize_html=sanitize,
    )
    problem = _why_not_a_feed(result, body, response_headers["content-type"])
    if problem:
        raise FeedParseError(problem)
    warning = _describe(result.bozo_exception) if result.bozo else None
    html_text = _sanitized_html_text if sanitize else _html_text
    return _parsed_feed(result.feed, result.entries, url, warning, html_text)


def _parsed_feed(
    feed: Mapping[str, Any],
    raw_entries: list[Any],
    url: str,
    warning: str | None,
    html_text: HtmlToText,
) -> ParsedFeed:
    entries = (_entry(raw, url, html_text) for raw in raw_entries)
    return ParsedFeed(
        title=_one_line(_plain_text(feed, "title", html_text)) or None,
        link=_http_url(feed.get("link"), url),
        entries=tuple(entry for entry in entries if entry is not None),
        warning=warning,
    )


def _response_headers(headers: Mapping[str, str] | None, url: str) -> dict[str, str]:
    # feedparser looks headers up in lower case; without a content type it flags every feed as bozo.
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    lowered.setdefault("content-type", "application/xml")
    lowered["content-location"] = url
    return lowered


def _why_not_a_feed(result: Any, body: bytes, content_type: str) -> str | None:
    if result.get("version"):
        if result.bozo and not result.entries and not result.feed.get("title"):
            return f"broken feed: {_describe(result.bozo_exception)}"
        return None
    if _looks_like_html(body, content_type):
        return "not a feed: the server sent an HTML page"
    if result.bozo and isinstance(result.bozo_exception, xml.sax.SAXParseException):
        return f"not a feed: {_describe(result.bozo_exception)}"
    return "not a feed: no RSS, Atom or RDF element found"


def parse_json_feed(body: bytes, *, url: str) -> ParsedFeed:
    """A JSON Feed (https://jsonfeed.org, versions 1 and 1.1): always UTF-8, items with an `id`
    and a `url` (or `external_url`), HTML or plain content, RFC 3339 dates."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise FeedParseError(f"broken JSON Feed: {error}") from None
    version = data.get("version") if isinstance(data, dict) else None
    items = data.get("items") if isinstance(data, dict) else None
    if not (isinstance(version, str) and version.startswith(_JSON_FEED_VERSION)):
        raise FeedParseError("not a feed: JSON without a JSON Feed version")
    if not isinstance(items, list):
        raise FeedParseError("broken JSON Feed: no list of items")
    entries = (_json_entry(item, url) for item in items if isinstance(item, dict))
    return ParsedFeed(
        title=_one_line(_json_text(data, "title")) or None,
        link=_http_url(_json_text(data, "home_page_url"), url),
        entries=tuple(entry for entry in entries if entry is not None),
        warning=None,
    )


def _json_text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _json_entry(item: Mapping[str, Any], feed_url: str) -> FeedEntry | None:
    link = _http_url(_json_text(item, "url") or _json_text(item, "external_url"), feed_url)
    if link is None:
        return None
    texts = [
        _as_text(_json_text(item, "content_html"), "text/html", _html_text),
        _as_text(_json_text(item, "content_text"), None, _html_text),
        _as_text(_json_text(item, "summary"), None, _html_text),
    ]
    raw_id = item.get("id")
    guid = str(raw_id).strip() if isinstance(raw_id, str | int) else ""
    return FeedEntry(
        guid=guid or link,
        url=link,
        title=_one_line(_json_text(item, "title")),
        summary=max(texts, key=len),
        published=_rfc3339(_json_text(item, "date_published") or _json_text(item, "date_modified")),
        author=_json_author(item),
    )


def _json_author(item: Mapping[str, Any]) -> str | None:
    """1.1 lists `authors`; 1.0 had one `author`."""
    authors = item.get("authors")
    first = authors[0] if isinstance(authors, list) and authors else item.get("author")
    return _one_line(_json_text(first, "name")) or None if isinstance(first, dict) else None


def _rfc3339(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _looks_like_html(body: bytes, content_type: str) -> bool:
    start = body[:1024].lstrip().lower()
    return (
        "html" in content_type.lower() or start.startswith(b"<!doctype html") or b"<html" in start
    )


def _describe(error: BaseException) -> str:
    # No SAX position: feedparser may prepend an XML declaration, which shifts every line number.
    if isinstance(error, xml.sax.SAXParseException):
        return str(error.getMessage())
    return str(error) or type(error).__name__


def _entry(raw: Mapping[str, Any], feed_url: str, html_text: HtmlToText) -> FeedEntry | None:
    link = _http_url(raw.get("link"), feed_url)
    if link is None:
        return None
    texts = [
        _as_text(part.get("value", ""), part.get("type"), html_text)
        for part in raw.get("content", [])
    ]
    if "summary_detail" in raw:  # without it, "summary" is feedparser's untyped copy of content
        texts.append(_plain_text(raw, "summary", html_text))
    return FeedEntry(
        guid=(raw.get("id") or "").strip() or link,
        url=link,
        title=_one_line(_plain_text(raw, "title", html_text)),
        summary=max(texts, key=len, default=""),
        published=_utc(raw.get("published_parsed") or raw.get("updated_parsed")),
        author=_author(raw),
    )


def _author(raw: Mapping[str, Any]) -> str | None:
    """The author's name. RSS gives "email (Name)", which feedparser splits wrongly when the
    email's domain ends in a long suffix (".example", ".agency"), so that form is parsed here."""
    text = _one_line(raw.get("author") or "")
    if found := _EMAIL_AND_NAME.match(text):
        return found["name"].strip() or None
    if text:
        return None if "@" in text else text
    return _one_line((raw.get("author_detail") or {}).get("name") or "") or None


def _http_url(value: str | None, base: str) -> str | None:
    # feedparser's sanitiser leaves javascript: and data: links alone; only web links are entries.
    if not value:
        return None
    absolute = urljoin(base, value.strip())
    parts = urlsplit(absolute)
    return absolute if parts.scheme in ("http", "https") and parts.netloc else None


def _utc(parsed: time.struct_time | None) -> datetime | None:
    # feedparser already converted the date to UTC; the struct just lost the zone.
    return datetime(*parsed[:6], tzinfo=UTC) if parsed else None


def _plain_text(raw: Mapping[str, Any], key: str, html_text: HtmlToText) -> str:
    detail = raw.get(f"{key}_detail") or {}
    return _as_text(raw.get(key) or "", detail.get("type"), html_text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _as_text(value: str, content_type: str | None, html_text: HtmlToText) -> str:
    if content_type in _HTML_TYPES:
        value = html_text(value)
    lines = (_one_line(line) for line in value.splitlines())
    return "\n".join(line for line in lines if line)


def _sanitized_html_text(value: str) -> str:
    """Text of HTML that feedparser handed over, scripts and styles already removed."""
    collector = _TextCollector()
    collector.feed(value)
    collector.close()
    return "".join(collector.parts)


def _html_text(value: str) -> str:
    """Text of raw HTML (fast path, JSON Feed), with the content of scripts and styles left out."""
    if "<" not in value and "&" not in value:
        return value
    root = etree.fromstring(value.encode("utf-8"), _HTML_FRAGMENT)
    parts: list[str] = []
    if root is not None:
        _collect_text(root, parts)
    return "".join(parts)


def _collect_text(element: etree._Element, parts: list[str]) -> None:
    tag = element.tag
    block = tag in _BLOCK_TAGS
    if block:
        parts.append("\n")
    if tag in _RAW_TEXT_TAGS:
        parts.append(_html_text(element.text or ""))
    elif tag not in _UNREAD_TAGS:
        parts.append(element.text or "")
        for child in element:
            _collect_text(child, parts)
            parts.append(child.tail or "")
    if block:
        parts.append("\n")


class _TextCollector(HTMLParser):
    """Keeps the text of an HTML fragment with a line break where a block element starts or ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
