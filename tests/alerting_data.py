"""Test data for alerting, stored for real: outlets publish articles, the articles hold events."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import typer
from sqlalchemy import Connection

from alerts.subscriptions import Subscription, parse_subscriptions
from newswatch.commands.alerts import register
from storage.articles import NewArticle, store_articles
from storage.events import EventActor, NewEvent, store_new_events
from storage.feeds import add_feed

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PRK = EventActor("PRK", "North Korea", "source")
RUS = EventActor("RUS", "Russia", "target")
BLR = EventActor("BLR", "Belarus", "target")


@dataclass(frozen=True)
class Ev:
    """An event an article reports."""

    type: str = "troop_deployment"
    modality: str = "asserted"
    confidence: float = 0.8
    actors: tuple[EventActor, ...] = (PRK, RUS)
    evidence: str | None = None
    background: bool = False
    mark: str | None = None


def _fingerprint(text: str) -> tuple[str, int]:
    digest = hashlib.sha256(text.encode()).hexdigest()
    # Unrelated texts get unrelated 64-bit fingerprints, far apart: each starts its own story.
    return digest, int(digest[:16], 16)


def publish(
    conn: Connection,
    outlet: str,
    key: str,
    events: Sequence[Ev] = (Ev(),),
    *,
    copy_of: str | None = None,
    now: datetime = NOW,
) -> list[int]:
    """`outlet` publishes article `key` (a syndicated copy of article `copy_of`, same story, when
    given) reporting `events`; returns the new events' ids."""
    feed = add_feed(conn, f"https://{outlet}.example/rss", outlet.title(), now=now)
    text = f"The article {copy_of or key}."
    content_hash, simhash = _fingerprint(text)
    article = NewArticle(
        feed_id=feed.id,
        guid=key,
        url=f"https://{outlet}.example/{key}",
        canonical_url=f"https://{outlet}.example/{key}",
        title=f"{outlet.title()}: {key}",
        author=None,
        text=text,
        summary=None,
        language="en",
        published_at=now,
        simhash=simhash,
        content_hash=content_hash,
        extracted=True,
        extraction_error=None,
    )
    (stored,) = store_articles(conn, [article], now=now)
    new_events = [
        NewEvent(
            article_id=stored.id,
            event_type=event.type,
            modality=event.modality,
            confidence=event.confidence,
            evidence=event.evidence or f"{key}: sentence {position} reports {event.type}.",
            span_start=position * 100,
            span_end=position * 100 + 50,
            watchlist_version="test",
            actors=event.actors,
            background=event.background,
            mark=event.mark,
        )
        for position, event in enumerate(events)
    ]
    return store_new_events(conn, new_events, now=now)


def subscriptions(yaml_text: str) -> tuple[Subscription, ...]:
    found, problems = parse_subscriptions(yaml_text)
    assert problems == [], problems
    return found


DESK = """\
subscriptions:
  - name: korea-desk
    channels:
      - email: [desk@example.org]
      - slack_webhook: {url_env: TEST_SLACK_URL}
    match:
      actors: [PRK]
"""


def cli() -> typer.Typer:
    """The `newswatch` command with the alert commands only."""
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """newswatch"""

    register(app)
    return app
