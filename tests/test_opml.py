"""OPML import and export of feed lists."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from extractors.opml import OpmlError, OpmlFeed, parse_opml, render_opml

FIXTURES = Path(__file__).parent / "fixtures"


def test_nested_folders_are_flattened_in_document_order_without_repeats() -> None:
    feeds = parse_opml((FIXTURES / "opml" / "subscriptions.opml").read_bytes())

    assert feeds == [
        OpmlFeed("https://caspian-ledger.example/feeds/world.rss", "Caspian Ledger & Partners"),
        OpmlFeed("https://steppe-wire.example/en/feeds/atom.xml", "Steppe Wire"),
        OpmlFeed("https://valley-post.example/rss?section=news&lang=en", "Valley Post <local>"),
        OpmlFeed("https://privolzhye.example/rss", "Only a title attribute"),
        OpmlFeed("javascript:alert(1)", "Not pollable"),
    ]


def test_round_trip_keeps_urls_and_titles() -> None:
    feeds = [
        OpmlFeed("https://caspian-ledger.example/feeds/world.rss", "Ledger & Co <World>"),
        OpmlFeed("https://valley-post.example/rss?section=news&lang=en", 'Valley "Post"'),
        OpmlFeed("https://steppe-wire.example/en/feeds/atom.xml", None),
    ]

    assert parse_opml(render_opml(feeds).encode("utf-8")) == feeds


def test_rendered_opml_is_escaped_opml_2() -> None:
    document = render_opml(
        [OpmlFeed("https://x.example/rss?a=1&b=2", "Tom & Jerry <news>\x07")], title="Desk & co"
    )

    root = ET.fromstring(document.encode("utf-8"))
    outline = root.find("body/outline")
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Desk & co"
    assert outline is not None
    assert outline.get("text") == "Tom & Jerry <news>"
    assert outline.get("xmlUrl") == "https://x.example/rss?a=1&b=2"
    assert "Tom &amp; Jerry &lt;news&gt;" in document


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00\x01\x02\xff binary",
        (FIXTURES / "feeds" / "rss2.xml").read_bytes(),
        (FIXTURES / "pages" / "section_front.html").read_bytes(),
    ],
    ids=["empty", "binary", "rss feed", "html page"],
)
def test_body_that_is_not_opml_is_refused(body: bytes) -> None:
    with pytest.raises(OpmlError, match="not an OPML file"):
        parse_opml(body)


def test_truncated_opml_keeps_its_complete_outlines() -> None:
    body = (FIXTURES / "opml" / "subscriptions.opml").read_bytes()
    truncated = body[: body.index(b"Valley Post") + 5]

    assert [feed.title for feed in parse_opml(truncated)] == [
        "Caspian Ledger & Partners",
        "Steppe Wire",
    ]
