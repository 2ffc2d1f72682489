"""Small news pages and feeds written for the tests: a story wrapped in site furniture, and RSS around it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    published: str = "Tue, 24 Nov 2026 09:30:00 GMT"


def article_page(story: Story, *, outlet: str = "Harbour Gazette") -> bytes:
    """A realistic article page: navigation, an ad slot, the story, related links and reader comments."""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(story.title)} | {outlet}</title>
<meta property="og:title" content="{escape(story.title)}">
<meta name="author" content="Staff reporter">
<meta property="article:published_time" content="2026-11-24T09:30:00Z"></head>
<body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a>
<a href="/sport">Sport</a> <a href="/weather">Weather</a></nav></header>
<div class="ad">Advertisement: subscribe for unlimited reading</div>
<main><article><h1>{escape(story.title)}</h1><p class="byline">By Staff reporter</p>
{body}
</article>
<aside><h2>Related stories</h2><ul><li><a href="/x">Harbour cranes return to service</a></li>
<li><a href="/y">Ferry timetable changes for winter</a></li></ul></aside>
<section class="comments"><h2>Comments</h2>
<div class="comment"><p>Reader42: I have been saying this for years, nobody listens.</p></div>
<div class="comment"><p>Marta_K: Great reporting as always, thank you.</p></div></section></main>
<footer>Copyright {outlet}. All rights reserved. Privacy policy. Cookie settings.</footer>
</body></html>""".encode()


def rss_feed(base_url: str, stories: Sequence[Story], *, title: str = "Harbour Gazette") -> bytes:
    """An RSS 2.0 feed whose items link to `base_url/<slug>.html`."""
    items = "\n".join(
        f"""<item><title>{escape(s.title)}</title><link>{base_url}/{s.slug}.html</link>
<guid>{base_url}/{s.slug}.html</guid><pubDate>{s.published}</pubDate>
<description>{escape(s.paragraphs[0])}</description></item>"""
        for s in stories
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{escape(title)}</title><link>{base_url}/</link>
<description>News</description>
{items}
</channel></rss>""".encode()


CSTO_FREEZE = Story(
    "armenia-csto",
    "Armenia freezes its part in the CSTO",
    (
        "Armenia has frozen its participation in the Collective Security Treaty Organization, the "
        "government in Yerevan said on Tuesday, citing the bloc's failure to act during the crisis.",
        "Officials said delegations would no longer attend the alliance's meetings or exercises, and "
        "that contributions to its budget had been halted until further notice.",
        "Analysts in the region described the decision as the clearest break yet between Yerevan and "
        "the Moscow-led bloc, which Armenia helped to found three decades ago.",
    ),
)
HARBOUR_STORM = Story(
    "harbour-storm",
    "Storm closes the harbour for two days",
    (
        "A winter storm with gusts above 110 kilometres an hour closed the harbour on Monday, and the "
        "port authority said ferries would stay in dock until Wednesday morning at the earliest.",
        "Forecasters expect the wind to ease overnight, although heavy rain is likely to continue along "
        "the coast and several roads near the marina remain flooded.",
        "Shop owners on the waterfront spent the afternoon filling sandbags and moving stock upstairs.",
    ),
)
TROOPS_TO_RUSSIA = Story(
    "troops-kursk",
    "North Korean soldiers arrive in Russia's Kursk region",
    (
        "North Korea has sent several thousand more soldiers to Russia's Kursk region, intelligence "
        "officials in Seoul said on Monday, adding to the units that arrived there last year.",
        "The officials said the new contingent had travelled by rail and was being trained by Russian "
        "instructors before moving closer to the front.",
        "Neither government commented on the report, and independent confirmation was not possible.",
    ),
)
