"""How an alert reads, the same in every channel: wording for event type, actors, modality and
confidence; the email bodies (Jinja2 templates, HTML autoescaped); the Slack Block Kit payload."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import jinja2

from alerts.message import AlertActor, AlertItem, AlertMessage, AlertSource

_MODALITY_WORDING = {
    "asserted": "asserted (reported as fact)",
    "hedged": "hedged (reported, not confirmed)",
    "future": "future (planned or announced)",
    "negated": "negated (denied, or did not happen)",
}
# Control characters, line and paragraph separators, and bidi overrides (they disguise text).
_UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)
# http(s) only, and none of the characters that end an HTML attribute or a Slack <url|text> link.
_LINKABLE = re.compile(r"https?://[^\x00-\x20\x7f<>|\"'`\\]+", re.IGNORECASE)
_MAX_LINK = 2000
_HEADLINE_MAX = 150


def no_breaks(text: str) -> str:
    """`text` with control characters, line breaks and bidi overrides turned into spaces."""
    return _UNSAFE_CHARACTERS.sub(" ", text)


def one_line(text: str) -> str:
    """`text` without control characters or line breaks, whitespace collapsed: safe in a header."""
    return " ".join(no_breaks(text).split())


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# The words of DESIGN.md's table of event types, and of the marks within a type.
EVENT_LABELS = {
    "troop_deployment": "Troop deployment",
    "arms_transfer": "Arms transfer",
    "diplomatic_recognition": "Diplomatic recognition",
    "alliance_membership": "Alliance membership",
    "agreement_signed": "Agreement signed",
    "diplomatic_protest": "Diplomatic protest",
    "relations_downgrade": "Relations downgrade",
    "arrest_detention": "Arrest or detention",
    "military_strike": "Military strike",
    "official_visit": "Official visit",
    "sanctions": "Sanctions",
}
MARK_LABELS = {"phone_call": "Phone call", "withdrawal": "Troop withdrawal"}


def event_label(event_type: str, mark: str | None = None) -> str:
    """`arrest_detention` -> "Arrest or detention"; with mark `phone_call`, "Phone call"."""
    if mark is not None:
        return MARK_LABELS.get(mark, mark)
    return EVENT_LABELS.get(event_type) or event_type.replace("_", " ").capitalize()


def actors_line(actors: Sequence[AlertActor], *, short: bool = False, names: bool = False) -> str:
    """ "North Korea (PRK, source) → Russia (RUS, target)"; `short`: "PRK → RUS"; `names`:
    "North Korea → Russia". Actors without a source role (the parties of an agreement) are listed
    with commas."""
    labels = {
        actor: actor.id if short else (actor.name or actor.id) if names else _actor_label(actor)
        for actor in actors
    }
    sources = [labels[actor] for actor in actors if actor.role == "source"]
    others = [labels[actor] for actor in actors if actor.role != "source"]
    if sources and others:
        return one_line(f"{', '.join(sources)} → {', '.join(others)}")
    return one_line(", ".join(sources or others))


def _actor_label(actor: AlertActor) -> str:
    if actor.name and actor.name != actor.id:
        return f"{actor.name} ({actor.id}, {actor.role})"
    return f"{actor.id} ({actor.role})"


def modality_wording(modality: str) -> str:
    return _MODALITY_WORDING.get(modality, modality)


def confidence_wording(confidence: float) -> str:
    """0.82 -> "82% (high)"."""
    level = "high" if confidence >= 0.8 else "medium" if confidence >= 0.5 else "low"
    return f"{round(confidence * 100)}% ({level})"


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is taken as UTC."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def when(moment: datetime) -> str:
    """A moment in UTC, to the minute: "2025-06-01 14:05 UTC"."""
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def safe_link(url: str) -> str | None:
    """`url` if it is a plain http(s) URL, safe in an href and in Slack link syntax; else None
    (a feed could offer `javascript:...` or `!channel` as an article link)."""
    return url if len(url) <= _MAX_LINK and _LINKABLE.fullmatch(url) else None


def headline(message: AlertMessage) -> str:
    """One line saying what happened, from event types and actor names (never article text): the
    email subject, the Slack header and notification text."""
    parts = [_item_headline(item) for item in message.items]
    if len(parts) == 1:
        return clip(parts[0], _HEADLINE_MAX)
    return clip(f"{len(parts)} incidents: {'; '.join(parts)}", _HEADLINE_MAX)


def _item_headline(item: AlertItem) -> str:
    label = event_label(item.event_type, item.mark)
    text = one_line(f"{label}: {actors_line(item.actors, names=True)}")
    return f"Update: {text}" if item.update_reason else text


# What every template may use: the same wording in alerts and digests.
FILTERS: dict[str, Callable[..., Any]] = {
    "event_label": event_label,
    "actors": actors_line,
    "modality": modality_wording,
    "confidence": confidence_wording,
    "one_line": one_line,
    "link": safe_link,
    "when": when,
}


def template_environment(
    autoescape: bool | Callable[[str | None], bool], finalize: Callable[[Any], Any] | None = None
) -> jinja2.Environment:
    """A Jinja2 environment over `alerts/templates` with `FILTERS`; undefined names are errors."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("alerts", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    environment.filters.update(FILTERS)
    return environment


_TEMPLATES = template_environment(
    jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False)
)


def render_email(message: AlertMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies of the alert email."""
    context = {"message": message, "headline": headline(message)}
    text = _TEMPLATES.get_template("alert.txt.j2").render(context)
    html = _TEMPLATES.get_template("alert.html.j2").render(context)
    return text, html


# Slack refuses a message over these limits (50 blocks; 3000 characters in a section or context
# text, 150 in a header, 10 elements in a context block).
_SLACK_MAX_BLOCKS = 50
_SLACK_MAX_TEXT = 3000
_SLACK_MAX_ELEMENTS = 10
_SLACK_BLOCKS_PER_ITEM = 4
_SLACK_SHOWN_OUTLETS = _SLACK_MAX_ELEMENTS - 2  # leaves room for "+N more" and the dates
_SLACK_TITLE_MAX = 200
_SLACK_LINK_MAX = 2500  # escaped; a URL full of "&" grows fivefold and must not break the block
Block = dict[str, object]


def slack_escape(text: str) -> str:
    """Escape the three characters Slack reads as markup, so article text cannot ping <!channel>."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(text: str, limit: int = _SLACK_MAX_TEXT) -> str:
    """`text` made single-line, escaped and cut to `limit` without splitting an `&..;` entity."""
    escaped = slack_escape(one_line(text))
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    entity = cut.rfind("&", max(0, len(cut) - 4))
    if entity != -1 and ";" not in cut[entity:]:
        cut = cut[:entity]
    return cut + "…"


def slack_blocks(message: AlertMessage) -> dict[str, object]:
    """The Block Kit payload `{"text": fallback, "blocks": [...]}`; items that do not fit in Slack's
    50 blocks are counted in a closing note."""
    room = (_SLACK_MAX_BLOCKS - 2) // _SLACK_BLOCKS_PER_ITEM  # the header and the closing note
    shown, hidden = message.items[:room], len(message.items) - room
    title = headline(message)
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": title}}]
    for item in shown:
        blocks.extend(slack_item(item))
    if hidden > 0:
        blocks.append(slack_context([f"…and {hidden} more incidents not shown here"]))
    return {"text": slack_escape(title), "blocks": blocks}


def slack_item(item: AlertItem) -> list[Block]:
    """An incident in four blocks: divider, what and who, the evidence, the outlets and dates."""
    kind = slack_text(event_label(item.event_type, item.mark), 100)
    modality = slack_text(modality_wording(item.modality), 100)
    summary = [
        f"*{kind}* · {slack_text(actors_line(item.actors), 2000)}",
        f"{modality} · confidence {confidence_wording(item.confidence)}",
    ]
    if item.update_reason:
        summary.append(f"_Update: {slack_text(item.update_reason, 500)}_")
    return [
        {"type": "divider"},
        slack_section("\n".join(summary)),
        slack_section(f">{slack_text(item.evidence, _SLACK_MAX_TEXT - 1)}"),
        slack_context(_outlet_elements(item)),
    ]


def _outlet_elements(item: AlertItem) -> list[str]:
    elements = [slack_source(source) for source in item.sources[:_SLACK_SHOWN_OUTLETS]]
    if len(item.sources) > _SLACK_SHOWN_OUTLETS:
        elements.append(f"+{len(item.sources) - _SLACK_SHOWN_OUTLETS} more outlets")
    elements.append(f"first seen {when(item.first_seen)} · last seen {when(item.last_seen)}")
    return elements


def slack_source(source: AlertSource) -> str:
    title = slack_text(source.title or source.url, _SLACK_TITLE_MAX)
    outlet = slack_text(source.outlet, _SLACK_TITLE_MAX)
    link = slack_escape(safe_link(source.url) or "")
    if link and len(link) <= _SLACK_LINK_MAX:
        return f"<{link}|{title}> · {outlet}"
    return f"{title} · {outlet}"


def slack_section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def slack_context(texts: Sequence[str]) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts]}
