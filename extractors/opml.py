"""OPML import and export, so operators can move whole feed lists in and out of newswatch."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import listparser

from extractors.errors import ExtractorError

# Characters XML 1.0 forbids even when escaped; a feed title carrying one would break the file.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class OpmlError(ExtractorError):
    """The body is not a subscription list newswatch can read."""


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str | None


def is_feed_url(url: str) -> bool:
    """Whether newswatch can poll `url`: http(s) with a host (an OPML file may list anything)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def parse_opml(body: bytes) -> list[OpmlFeed]:
    """Every feed of an OPML file, folders flattened, in document order, each URL once.

    URLs come as written, `javascript:` included: the caller decides which it can poll and says so.
    """
    if not body.strip():
        raise OpmlError("not an OPML file: the body is empty")
    # listparser reads through an HTML parser that recovers from any error, so a truncated file
    # still gives its complete outlines and only a body without an <opml> root is refused.
    result = listparser.parse(body)
    if not result.version:
        raise OpmlError("not an OPML file: no <opml> element found")
    return [OpmlFeed(url=feed.url, title=feed.title or None) for feed in result.feeds]


def render_opml(feeds: Sequence[OpmlFeed], *, title: str = "newswatch feeds") -> str:
    """An OPML 2.0 document listing `feeds`, ready to import into another reader."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml_safe(title)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        # OPML 2.0 requires `text`; an empty one keeps a missing title missing on re-import.
        outline = ET.SubElement(body, "outline", type="rss", text=_xml_safe(feed.title or ""))
        if feed.title:
            outline.set("title", _xml_safe(feed.title))
        outline.set("xmlUrl", _xml_safe(feed.url))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml_safe(text: str) -> str:
    return _XML_FORBIDDEN.sub("", text)
