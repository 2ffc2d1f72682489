"""How a digest reads: HTML (email and file, inline CSS only, 680 px wide), Markdown, plain text,
JSON and a Slack Block Kit summary. Every text from articles and feeds is escaped for the form it
lands in: HTML by Jinja2's autoescape, Markdown by escaping every value, text and headers by
removing line breaks, Slack by its own three entities."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from alerts.digest import Digest, DigestItem, Totals, digest_to_json
from alerts.render import (
    Block,
    clip,
    no_breaks,
    one_line,
    safe_link,
    slack_context,
    slack_escape,
    slack_item,
    slack_section,
    slack_text,
    template_environment,
)

CHART_CID = "chart@newswatch"
SLACK_TOP = 5
_SUBJECT_MAX = 150
# Characters that Markdown (CommonMark, GitHub) reads as markup anywhere in a line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~&])")
_MARKDOWN_LINE_START = re.compile(r"^([-+=]|\d+[.)])")


def change(current: int, previous: int) -> str:
    """ "+4 (+50%)", "−2 (−20%)", "no change", "+3 (none before)"."""
    difference = current - previous
    if difference == 0:
        return "no change"
    sign = "+" if difference > 0 else "−"
    if previous == 0:
        return f"{sign}{abs(difference)} (none before)"
    return f"{sign}{abs(difference)} ({sign}{round(abs(difference) * 100 / previous)}%)"


def markdown_escape(text: str) -> str:
    """`text` on one line with every Markdown and inline-HTML character backslash-escaped."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text))
    return _MARKDOWN_LINE_START.sub(r"\\\1", escaped)


def _markdown_value(value: Any) -> Any:
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return markdown_escape(value)


def _markdown_link(title: str, url: str) -> Markup | str:
    """[title](url) when `url` is a safe http(s) URL; the escaped title alone otherwise."""
    link = safe_link(url)
    if link is None:
        return markdown_escape(title)
    target = link.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return Markup(f"[{markdown_escape(title or link)}]({target})")


def _text_value(value: Any) -> Any:
    return no_breaks(value) if isinstance(value, str) else value


def outlets_line(item: DigestItem) -> str:
    """ "3 outlets, 2 independent"."""
    noun = "outlet" if item.outlets == 1 else "outlets"
    if item.independent_outlets == item.outlets:
        return f"{item.outlets} {noun}"
    return f"{item.outlets} {noun}, {item.independent_outlets} independent"


def sections(digest: Digest) -> Sequence[tuple[str, str, Sequence[DigestItem], int]]:
    """The incident lists in reading order: (title, note, items, total)."""
    return (
        ("Top incidents", "asserted, ranked by importance", digest.top, digest.asserted_total),
        (
            "Reported, not confirmed",
            "hedged: reportedly, allegedly, may",
            digest.hedged,
            digest.hedged_total,
        ),
        (
            "Planned or announced",
            "future: plans to, will, preparing",
            digest.planned,
            digest.planned_total,
        ),
    )


# Wording made from numbers, dates and fixed ids: Markdown needs no escaping of it.
_TRUSTED = ("event_label", "modality", "confidence", "when", "change")


def _trusted(wording: Callable[..., str]) -> Callable[..., Markup]:
    return lambda *args: Markup(wording(*args))


def _environment(
    autoescape: bool, finalize: Callable[[Any], Any] | None = None
) -> jinja2.Environment:
    environment = template_environment(autoescape, finalize)
    environment.filters.update(change=change, markdown_link=_markdown_link)
    environment.globals.update(sections=sections, outlets_line=outlets_line)
    return environment


_HTML = _environment(autoescape=True)
_MARKDOWN = _environment(autoescape=False, finalize=_markdown_value)
_MARKDOWN.filters.update({name: _trusted(_MARKDOWN.filters[name]) for name in _TRUSTED})
_TEXT = _environment(autoescape=False, finalize=_text_value)


def digest_subject(digest: Digest) -> str:
    """One line from numbers and ids only (never article text): the email subject, Slack header."""
    totals, previous = digest.totals, digest.previous_totals
    summary = "no incidents"
    if not digest.empty:
        difference = totals.incidents - previous.incidents
        summary = f"{totals.incidents} incidents ({difference:+d} on the period before)"
        if digest.first_time_total:
            summary += f", {digest.first_time_total} first-time"
    subject = f"Digest {digest.subscription}, {digest.period.label}: {summary}"
    return clip(one_line(subject), _SUBJECT_MAX)


def _context(digest: Digest, **extra: Any) -> dict[str, Any]:
    return {
        "digest": digest,
        "subject": digest_subject(digest),
        "numbers": _numbers(digest.totals, digest.previous_totals),
        **extra,
    }


def _numbers(totals: Totals, previous: Totals) -> list[tuple[str, int, int]]:
    return [
        ("incidents", totals.incidents, previous.incidents),
        ("articles", totals.articles, previous.articles),
        ("outlets", totals.outlets, previous.outlets),
    ]


def digest_html(digest: Digest, *, chart_src: str) -> str:
    """The HTML page; `chart_src` is `cid:...` in an email, a `data:` URI in a file."""
    return _HTML.get_template("digest.html.j2").render(_context(digest, chart_src=chart_src))


def digest_markdown(digest: Digest, *, chart_file: str | None) -> str:
    """The Markdown page; the chart is the PNG `chart_file` beside it (None: no chart)."""
    chart = Markup(quote(chart_file)) if chart_file else None
    return _MARKDOWN.get_template("digest.md.j2").render(_context(digest, chart_file=chart))


def digest_text(digest: Digest) -> str:
    """The plain-text email part."""
    return _TEXT.get_template("digest.txt.j2").render(_context(digest))


def digest_json(digest: Digest, *, idempotency_key: str | None = None) -> bytes:
    """The JSON form: the webhook body and `--format json`."""
    payload = {"kind": "digest", "idempotency_key": idempotency_key, **digest_to_json(digest)}
    return json.dumps(payload, ensure_ascii=False, indent=1).encode()


def digest_slack(digest: Digest) -> dict[str, object]:
    """A Block Kit summary: the numbers, the first-time items and the top incidents."""
    title = digest_subject(digest)
    numbers = " · ".join(
        f"*{current}* {name} ({change(current, previous)})"
        for name, current, previous in _numbers(digest.totals, digest.previous_totals)
    )
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(title, 150)}},
        slack_section(numbers if not digest.empty else "No incidents matched in this period."),
    ]
    if digest.first_time:
        blocks.append(slack_section("*First time*"))
        for item in digest.first_time[:SLACK_TOP]:
            blocks.extend(slack_item(item))
    if digest.top:
        blocks.append(slack_section(f"*Top incidents* ({digest.asserted_total} in all)"))
        for item in digest.top[:SLACK_TOP]:
            blocks.extend(slack_item(item))
    if digest.health:
        names = ", ".join(f"{feed.outlet} ({feed.problem})" for feed in digest.health)
        blocks.append(slack_context([f"Sources to look at: {slack_text(names, 2500)}"]))
    return {"text": slack_escape(title), "blocks": blocks}
