"""Feed parsing: RSS and Atom to plain entries, charsets, warnings and refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from extractors.errors import FeedParseError
from extractors.feeds import ParsedFeed, parse_feed

FIXTURES = Path(__file__).parent / "fixtures"
FEED_URL = "https://caspian-ledger.example/feeds/world.rss"


def parse_fixture(name: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    return parse_feed((FIXTURES / "feeds" / name).read_bytes(), url=FEED_URL, headers=headers)


def test_rss_entries_become_plain_text_entries() -> None:
    feed = parse_fixture("rss2.xml")

    assert feed.title == "The Caspian Ledger \N{EN DASH} World"
    assert feed.warning is None
    first, second = feed.entries
    assert first.guid == "ledger-48213"
    assert first.title == "Baku summons Paris envoy over parliament vote"
    assert first.author == "Leyla Hasanova"
    assert first.summary == (
        "The foreign ministry handed the ambassador a note of protest.\n"
        "Paris said the vote did not change its policy."
    )
    assert second.title == "Border commission meets again after long pause"


def test_relative_links_resolve_against_the_feed_url() -> None:
    feed = parse_fixture("rss2.xml")

    assert feed.link == "https://caspian-ledger.example/world"
    assert feed.entries[0].url == "https://caspian-ledger.example/world/2024/03/05/envoy"


def test_atom_links_resolve_against_xml_base() -> None:
    feed = parse_fixture("atom.xml")

    assert feed.title == "Steppe Wire"
    assert feed.link == "https://steppe-wire.example/en/latest"
    assert feed.entries[0].url == "https://steppe-wire.example/en/2024/04/11/border-post"
    assert feed.entries[0].guid == "tag:steppe-wire.example,2024:8812"
    assert feed.entries[0].author == "Aibek Toktogulov"


def test_html_titles_are_stripped_but_plain_text_titles_are_kept() -> None:
    html_title, text_title = (entry.title for entry in parse_fixture("atom.xml").entries)

    assert html_title == "Kyrgyz border post reopens after talks"
    assert text_title == "Tariffs < quotas, says trade minister"


def test_dates_are_utc() -> None:
    rss = parse_fixture("rss2.xml").entries[0]
    atom_published, atom_updated_only = parse_fixture("atom.xml").entries

    assert rss.published == datetime(2024, 3, 5, 6, 15, tzinfo=UTC)
    assert atom_published.published == datetime(2024, 4, 11, 3, 30, tzinfo=UTC)
    assert atom_updated_only.published == datetime(2024, 4, 10, 18, 0, tzinfo=UTC)


def test_full_content_is_preferred_to_a_teaser() -> None:
    entry = parse_fixture("rss2.xml").entries[1]

    assert entry.summary.startswith("Delegations from both capitals met on Saturday")
    assert "Short teaser" not in entry.summary


def test_entry_without_guid_is_identified_by_its_link() -> None:
    entry = parse_fixture("rss2.xml").entries[1]

    assert entry.guid == entry.url == "https://caspian-ledger.example/world/2024/03/02/border-talks"


def test_javascript_link_and_missing_link_entries_are_dropped() -> None:
    urls = [entry.url for entry in parse_fixture("rss2.xml").entries]

    assert all(url.startswith("https://") for url in urls)
    assert len(urls) == 2


def test_charset_given_only_in_headers_is_honoured() -> None:
    fixture = FIXTURES / "feeds" / "windows-1251.xml"
    feed = parse_fixture(
        fixture.name, {"Content-Type": "application/rss+xml; charset=windows-1251"}
    )

    source = fixture.read_bytes().decode("windows-1251")
    assert f"<title>{feed.title}</title>" in source
    assert f"<title>{feed.entries[0].title}</title>" in source
    assert feed.warning is None


def test_malformed_but_usable_feed_gives_a_warning() -> None:
    feed = parse_fixture("malformed.xml")

    assert feed.warning == "undefined entity"
    assert [entry.url for entry in feed.entries] == ["https://valley-post.example/news/budget"]


def test_feed_served_as_html_is_parsed_with_a_warning() -> None:
    feed = parse_fixture("atom.xml", {"Content-Type": "text/html; charset=utf-8"})

    assert len(feed.entries) == 2
    assert feed.warning is not None
    assert "not an XML media type" in feed.warning


def test_html_page_is_refused() -> None:
    page = (FIXTURES / "pages" / "section_front.html").read_bytes()

    with pytest.raises(FeedParseError) as refused:
        parse_feed(page, url=FEED_URL, headers={"Content-Type": "text/html; charset=utf-8"})

    assert str(refused.value) == "not a feed: the server sent an HTML page"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not a feed: the body is empty"),
        (b"  \n ", "not a feed: the body is empty"),
        (b'<?xml version="1.0"?><catalog><book>x</book></catalog>', "no RSS, Atom or RDF element"),
        (b"\x00\x01\x02binary\xff\xfe", "not a feed: not well-formed"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "broken JSON Feed: no list of items"),
        (b'{"title": "a config file"}', "not a feed: JSON without a JSON Feed version"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "broken JSON Feed"),
        (b'<rss version="2.0"><channel><title>Cut off', "broken feed"),
    ],
)
def test_body_that_is_not_a_feed_is_refused_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(FeedParseError, match=reason):
        parse_feed(body, url=FEED_URL)


def test_rss_author_given_as_email_and_name_keeps_the_name() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>
<item><title>One</title><link>https://desk.example/1</link>
<author>newsdesk@desk.example (Grace Whitfield)</author></item>
<item><title>Two</title><link>https://desk.example/2</link>
<author>newsdesk@desk.example</author></item>
</channel></rss>"""

    first, second = parse_feed(body, url="https://desk.example/rss").entries

    assert first.author == "Grace Whitfield"
    assert second.author is None


RSS_TWIN = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Caspian Desk</title><link>https://desk.example/</link>
<item><title>Baku summons the Russian envoy</title><link>/2026/11/baku-envoy</link>
<guid isPermaLink="false">desk-101</guid><pubDate>Mon, 16 Nov 2026 10:40:00 +0100</pubDate>
<author>Grace Whitfield</author>
<description>&lt;p&gt;Azerbaijan summoned the Russian ambassador.&lt;/p&gt;&lt;p&gt;More follows.&lt;/p&gt;</description>
</item></channel></rss>"""
JSON_TWIN = b"""{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Caspian Desk", "home_page_url": "https://desk.example/",
  "items": [
    {"id": "desk-101", "url": "/2026/11/baku-envoy", "title": "Baku summons the Russian envoy",
     "content_html": "<p>Azerbaijan summoned the Russian ambassador.</p><p>More follows.</p>",
     "date_published": "2026-11-16T10:40:00+01:00", "authors": [{"name": "Grace Whitfield"}]}
  ]
}"""


def test_a_json_feed_gives_the_same_entry_as_its_rss_twin() -> None:
    from_rss = parse_feed(RSS_TWIN, url=FEED_URL)
    from_json = parse_feed(
        JSON_TWIN, url=FEED_URL, headers={"Content-Type": "application/feed+json"}
    )

    assert from_json.entries == from_rss.entries
    assert (from_json.title, from_json.link) == (from_rss.title, from_rss.link)
    (entry,) = from_json.entries
    assert entry.published == datetime(2026, 11, 16, 9, 40, tzinfo=UTC)
    assert entry.summary == "Azerbaijan summoned the Russian ambassador.\nMore follows."


def test_a_json_feed_1_0_keeps_web_links_only_and_reads_its_single_author() -> None:
    body = b"""\xef\xbb\xbf{"version": "https://jsonfeed.org/version/1", "items": [
      {"id": 7, "external_url": "https://wire.example/7", "content_text": "Troops arrived.",
       "author": {"name": "Wire staff"}, "date_modified": "2026-11-17T08:00:00Z"},
      {"id": "x", "url": "javascript:alert(1)", "content_text": "hostile"},
      {"id": "no-link", "content_text": "nowhere to fetch"},
      "not an item"
    ]}"""

    (entry,) = parse_feed(body, url=FEED_URL).entries

    assert (entry.guid, entry.url, entry.author) == ("7", "https://wire.example/7", "Wire staff")
    assert entry.published == datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
