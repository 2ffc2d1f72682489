"""Source health for the digest: feeds whose polls fail, and feeds silent far longer than their
usual rhythm (a site that changed its feed URL rarely fails; it just stops publishing)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median

from sqlalchemy import Connection

from alerts.render import clip, one_line, when
from storage import feeds as feed_store
from storage.feeds import FeedRecord, outlet_name

SILENCE_FACTOR = 4  # silent: no article for this many usual gaps
MIN_SILENCE = timedelta(days=1)  # and for at least this long
MIN_ARTICLES = 4  # fewer articles show no rhythm to judge by
HISTORY = timedelta(days=60)  # how far back the rhythm is read
_ERROR_MAX = 200


@dataclass(frozen=True)
class FeedHealth:
    """One feed that needs a look: `problem` is "failing" or "silent"."""

    outlet: str
    url: str
    problem: str
    detail: str


def usual_gap(times: Sequence[datetime]) -> timedelta | None:
    """The median time between consecutive articles, or None with too few articles to tell."""
    if len(times) < MIN_ARTICLES:
        return None
    ordered = sorted(times)
    return timedelta(seconds=median((b - a).total_seconds() for a, b in pairwise(ordered)))


def feed_health(conn: Connection, *, as_of: datetime) -> tuple[FeedHealth, ...]:
    """`source_health` of every feed, from the articles of the `HISTORY` before `as_of`."""
    times = feed_store.publication_times(conn, since=as_of - HISTORY, until=as_of)
    return source_health(feed_store.list_feeds(conn), times, as_of=as_of)


def source_health(
    feeds: Sequence[FeedRecord], times: Mapping[int, Sequence[datetime]], *, as_of: datetime
) -> tuple[FeedHealth, ...]:
    """The failing feeds, then the silent ones; `times` are each feed's article times before
    `as_of` (see `HISTORY`)."""
    failing: list[FeedHealth] = []
    silent: list[FeedHealth] = []
    for feed in feeds:
        outlet = outlet_name(feed.title, feed.url)
        if feed.consecutive_failures > 0:
            error = clip(one_line(feed.last_error or "unknown error"), _ERROR_MAX)
            since = f", last success {when(feed.last_success_at)}" if feed.last_success_at else ""
            detail = f"{feed.consecutive_failures} failed polls in a row{since}: {error}"
            failing.append(FeedHealth(outlet, feed.url, "failing", detail))
            continue
        seen = times.get(feed.id, ())
        gap = usual_gap(seen)
        if gap is None:
            continue
        quiet = as_of - max(seen)
        if quiet > max(SILENCE_FACTOR * gap, MIN_SILENCE):
            detail = f"no article for {_duration(quiet)}; usually one every {_duration(gap)}"
            silent.append(FeedHealth(outlet, feed.url, "silent", detail))
    return tuple(failing + silent)


def _duration(span: timedelta) -> str:
    """3 days, 9 hours, 40 minutes: the largest unit that fits, rounded down."""
    for unit, seconds in (("day", 86400), ("hour", 3600), ("minute", 60)):
        count = int(span.total_seconds() // seconds)
        if count >= 1:
            return f"{count} {unit}{'s' if count > 1 else ''}"
    return "less than a minute"
