"""Cost of one ISO week's digest over many incidents: `collect_digest` reading them, then rendering
the HTML, Markdown, JSON and chart. The database is filled in bulk, straight into the tables.

Besides the `n` incidents first seen in week 2026-W47 (UTC) there are n/2 in the week before (the
comparison) and n over the twelve weeks before the week (the "first time" lookback).
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, insert, select, update

from alerts.chart import chart_png
from alerts.digest import Digest
from alerts.digest_render import digest_html, digest_json, digest_markdown
from alerts.period import WEEK, week_period
from alerts.subscriptions import Match
from alerts.weekly import collect_digest
from extractors.events.model import EVENT_ROLES, EVENT_TYPES
from storage.db import analyze, insert_many, make_engine, upgrade
from storage.events import EventActor, NewEvent, store_events
from storage.feeds import add_feed
from storage.incidents import IncidentActor, actor_key
from storage.models import articles, events, feeds, incident_events, incidents, stories
from storage.stories import simhash_bands, to_signed64

T = TypeVar("T")
Row = dict[str, Any]
PERIOD = week_period("2026-W47", "UTC")
NOW = PERIOD.end + timedelta(hours=6)  # the Monday morning run
BEST_OF = 3
OUTLETS = 40  # the first two fail to poll; the last falls silent before the comparison week
FAILING = 2
PAIRS = 60
NEW_PAIRS = 5  # pairs reported only in the digest's week: its "first time" items
STATES = {
    "USA": "United States", "RUS": "Russia", "CHN": "China", "UKR": "Ukraine",
    "PRK": "North Korea", "KOR": "South Korea", "JPN": "Japan", "IRN": "Iran",
    "ISR": "Israel", "TUR": "Turkey", "IND": "India", "PAK": "Pakistan",
    "ARM": "Armenia", "AZE": "Azerbaijan", "BLR": "Belarus", "FRA": "France",
}  # fmt: skip
MODALITIES = {"asserted": 75, "hedged": 12, "future": 8, "negated": 5}
REPORTS = {1: 65, 2: 20, 3: 10, 4: 5}  # outlets per incident: ~1.55 articles each
SYNDICATED = 0.3  # chance that a further report is a copy of the one before (same story)
FETCHED_AFTER = timedelta(minutes=10)
_FILLER = "Officials said the move followed weeks of talks. " * 12  # ~600 characters


@dataclass(frozen=True)
class _Plan:
    """One incident to store, and its reports: by which outlet, whether a syndicated copy, when."""

    first_seen: datetime
    event_type: str
    actors: tuple[IncidentActor, ...]
    modality: str
    confidence: float
    outlets: tuple[int, ...]
    copies: tuple[bool, ...]
    delays: tuple[int, ...]  # minutes from the first report to each


def _first_seen(n: int, rng: random.Random) -> list[datetime]:
    """n moments in the period, n/2 in the week before, n over the twelve weeks before it."""
    spans = [(PERIOD.start, WEEK, n), (PERIOD.start - WEEK, WEEK, n // 2)]
    spans.append((PERIOD.start - 12 * WEEK, 12 * WEEK, n))
    return sorted(start + span * rng.random() for start, span, count in spans for _ in range(count))


def _plans(n: int, rng: random.Random) -> list[_Plan]:
    """What each incident is: a weighted type, one of `PAIRS` pairs, a modality, 1-4 outlets."""
    pairs = rng.sample([(a, b) for a in STATES for b in STATES if a < b], PAIRS)
    type_weights = [rng.uniform(1, 6) for _ in EVENT_TYPES]
    silent_from = PERIOD.start - WEEK - timedelta(days=3)
    plans: list[_Plan] = []
    for moment in _first_seen(n, rng):
        event_type = rng.choices(EVENT_TYPES, type_weights)[0]
        roles = (EVENT_ROLES[event_type] * 2)[:2]  # "party" twice for an agreement
        pair = rng.choice(pairs if moment >= PERIOD.start else pairs[NEW_PAIRS:])
        actors = tuple(IncidentActor(s, STATES[s], r) for s, r in zip(pair, roles, strict=True))
        modality = rng.choices(list(MODALITIES), list(MODALITIES.values()))[0]
        confidence = round(rng.uniform(0.5, 0.95), 2)
        count = rng.choices(list(REPORTS), list(REPORTS.values()))[0]
        reporting = OUTLETS - 1 if moment >= silent_from else OUTLETS  # the last fell silent
        outlets = tuple(rng.sample(range(reporting), count))
        copies = (False, *(rng.random() < SYNDICATED for _ in range(count - 1)))
        delays = (0, *sorted(rng.randint(5, 600) for _ in range(count - 1)))
        plans.append(
            _Plan(moment, event_type, actors, modality, confidence, outlets, copies, delays)
        )
    return plans


def _insert(conn: Connection, table: Table, rows: Sequence[Row], key: str) -> list[int]:
    """Insert `rows`; their new ids in the order of `rows`, matched back by the unique `key`."""
    returned = insert_many(conn, table, rows, returning=(table.c.id, table.c[key]))
    found = {value: id_ for id_, value in returned}
    return [found[row[key]] for row in rows]


def _add_feeds(conn: Connection) -> list[int]:
    """The outlets' feeds, of which the first `FAILING` have failed their last twelve polls."""
    added = PERIOD.start - 26 * WEEK
    urls = [f"https://outlet{i:02d}.example/rss" for i in range(OUTLETS)]
    ids = [add_feed(conn, url, f"Outlet {i:02d}", now=added).id for i, url in enumerate(urls)]
    failing = {"consecutive_failures": 12, "last_error": "HTTP 503", "last_status": "failing"}
    conn.execute(update(feeds).where(feeds.c.id.in_(ids[:FAILING])).values(**failing))
    return ids


def _evidence(plan: _Plan) -> str:
    names = " and ".join(a.name for a in plan.actors)
    return f"{names}: {plan.event_type.replace('_', ' ')} ({plan.modality})."


def _article_rows(plans: Sequence[_Plan], feed_ids: Sequence[int]) -> tuple[list[Row], list[Row]]:
    """The stories, and the articles of every report with the index of their story in the first
    list as `story_id` (a syndicated copy repeats the text, and story, of the report before it)."""
    story_rows: list[Row] = []
    rows: list[Row] = []
    for k, plan in enumerate(plans):
        text = f"{_evidence(plan)} {_FILLER}(incident {k})"
        reports = zip(plan.outlets, plan.copies, plan.delays, strict=True)
        for r, (outlet, copy, delay) in enumerate(reports):
            published = plan.first_seen + timedelta(minutes=delay)
            if not copy:
                text = f"{text}, report {r}" if r else text
                story_rows.append({"title": f"story {k}-{r}", "created_at": published})
                story_rows[-1] |= {"last_article_at": published, "article_count": 0}
            story_rows[-1]["article_count"] += 1
            content_hash = hashlib.sha256(text.encode()).hexdigest()
            simhash = int(content_hash[:16], 16)
            url = f"https://outlet{outlet:02d}.example/{k}-{r}"
            rows.append({
                "feed_id": feed_ids[outlet], "guid": url, "url": url, "canonical_url": url,
                "title": f"Report {k}-{r}", "text": text, "language": "en", "extracted": True,
                "published_at": published, "fetched_at": published + FETCHED_AFTER,
                "content_hash": content_hash, "simhash": to_signed64(simhash),
                **{f"simhash_band{i}": b for i, b in enumerate(simhash_bands(simhash))},
                "story_id": len(story_rows) - 1,
            })  # fmt: skip
    return story_rows, rows


def _event(plan: _Plan, article_id: int) -> NewEvent:
    """The event an article reports: its incident's, found in its first sentence."""
    evidence = _evidence(plan)
    actors = tuple(EventActor(a.id, a.name, a.role) for a in plan.actors)
    kind = (plan.event_type, plan.modality, plan.confidence)
    return NewEvent(article_id, *kind, evidence, 0, len(evidence), "bench", actors)


def _incident_row(plan: _Plan, best_event_id: int) -> Row:
    last_seen = plan.first_seen + timedelta(minutes=plan.delays[-1])
    return {
        "event_type": plan.event_type, "actor_key": actor_key(plan.actors),
        "actors": [asdict(a) for a in plan.actors], "modality": plan.modality,
        "confidence": plan.confidence, "evidence": _evidence(plan), "version": 1,
        "best_event_id": best_event_id, "source_count": len(plan.outlets),
        "first_seen": plan.first_seen, "created_at": plan.first_seen + FETCHED_AFTER,
        "last_seen": last_seen, "updated_at": last_seen + FETCHED_AFTER,
    }  # fmt: skip


def _store_incidents(conn: Connection, plans: Sequence[_Plan], event_ids: Sequence[int]) -> None:
    """The incidents, linked to the events of their reports. Not with `insert_many`: its arrays
    take a JSON list (`actors`) for one more dimension, and unnest makes a row per actor."""
    remaining = iter(event_ids)  # one per report, in the order of the plans
    members = [[next(remaining) for _ in plan.outlets] for plan in plans]
    rows = [_incident_row(plan, ids[0]) for plan, ids in zip(plans, members, strict=True)]
    statement = insert(incidents).returning(incidents.c.id, sort_by_parameter_order=True)
    incident_ids = conn.execute(statement, rows).scalars().all()
    links = [
        {"event_id": event_id, "incident_id": incident_id}
        for incident_id, ids in zip(incident_ids, members, strict=True)
        for event_id in ids
    ]
    insert_many(conn, incident_events, links)


def fill(conn: Connection, n: int, rng: random.Random) -> None:
    """Feeds, stories, articles, one event per article, about `n` incidents in week 2026-W47, and
    the links between them."""
    plans = _plans(n, rng)
    story_rows, article_rows = _article_rows(plans, _add_feeds(conn))
    story_ids = _insert(conn, stories, story_rows, "title")
    for row in article_rows:
        row["story_id"] = story_ids[row["story_id"]]
    article_ids = _insert(conn, articles, article_rows, "canonical_url")
    reports = [plan for plan in plans for _ in plan.outlets]  # the incident of each article
    new_events = [_event(plan, id_) for plan, id_ in zip(reports, article_ids, strict=True)]
    store_events(conn, new_events, now=NOW)
    event_of = dict(conn.execute(select(events.c.article_id, events.c.id)).all())
    _store_incidents(conn, plans, [event_of[article_id] for article_id in article_ids])
    analyze(conn)  # as autovacuum would have by the time a digest runs


def _best_of(action: Callable[[], T]) -> tuple[float, T]:
    """The fastest of `BEST_OF` runs of `action`, in seconds, and what it returned."""
    seconds: list[float] = []
    for _ in range(BEST_OF):
        started = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - started)
    return min(seconds), result


def _render(digest: Digest) -> int:
    """Everything a digest is sent as (the chart, the email's HTML, Markdown, JSON); their size."""
    chart = chart_png(digest.period, digest.per_day)
    html = digest_html(digest, chart_src="cid:chart")
    markdown = digest_markdown(digest, chart_file="chart.png")
    return len(chart) + len(html) + len(markdown) + len(digest_json(digest))


def run(database_url: str, n: int = 10_000) -> dict[str, float | int]:
    """Fill `database_url` (fresh; migrated here) around `n` incidents in week 2026-W47, then time
    the week's digest for a subscription to everything: seconds to fill, to collect, to render."""
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        started = time.perf_counter()
        with engine.begin() as conn:
            fill(conn, n, random.Random(47))
        fill_s = time.perf_counter() - started
        with engine.connect() as conn:
            collect_s, digest = _best_of(
                lambda: collect_digest(conn, "bench", Match(), PERIOD, now=NOW)
            )
    finally:
        engine.dispose()
    render_s, _ = _best_of(lambda: _render(digest))
    times = {"fill_s": fill_s, "collect_s": collect_s, "render_s": render_s}
    return {"incidents": n, **times, "total_s": collect_s + render_s}
