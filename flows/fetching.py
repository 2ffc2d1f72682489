"""Feed polling stages: which feeds are due, conditional GETs, the entries not seen before."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from extractors.dedup import canonical_url
from extractors.errors import FeedParseError, FetchError, HttpStatusError
from extractors.feeds import FeedEntry, parse_feed
from extractors.http import Fetcher, FetchResult, HttpPolicy
from storage import articles as article_store
from storage import feeds as feed_store

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.1"
)


@dataclass(frozen=True)
class FeedPoll:
    """What fetching one feed gave: a response (maybe 304) or an error."""

    feed: feed_store.FeedRecord
    response: FetchResult | None = None
    error: FetchError | None = None


@dataclass(frozen=True)
class FeedUpdate:
    """The polling state to record for one feed at the end of the cycle."""

    feed_id: int
    url: str
    outcome: str  # "fetched" | "not_modified" | "failed"
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    new_entries: int = 0
    error: str | None = None
    retry_after_s: float | None = None


@dataclass(frozen=True)
class PendingEntry:
    """A feed entry not seen before, waiting for its page."""

    feed_id: int
    entry: FeedEntry
    canonical_url: str


def select_feeds(
    engine: Engine, *, limit: int, include_all: bool, lease: timedelta
) -> list[feed_store.FeedRecord]:
    """Claim the feeds this cycle polls: those due now (or any, with `include_all`) that no other
    run holds, oldest first, at most `limit`, for `lease`."""
    with engine.begin() as conn:
        return feed_store.claim_feeds(
            conn, now=datetime.now(UTC), limit=limit, lease=lease, include_all=include_all
        )


def poll_feeds(feeds: Sequence[feed_store.FeedRecord], policy: HttpPolicy) -> list[FeedPoll]:
    """Fetch every feed concurrently with a conditional GET."""

    async def fetch_all() -> list[FeedPoll]:
        async with Fetcher(policy) as fetcher:
            return list(await asyncio.gather(*(poll_one(fetcher, feed) for feed in feeds)))

    async def poll_one(fetcher: Fetcher, feed: feed_store.FeedRecord) -> FeedPoll:
        try:
            response = await fetcher.fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified, accept=FEED_ACCEPT
            )
        except FetchError as error:
            return FeedPoll(feed, error=error)
        return FeedPoll(feed, response=response)

    return asyncio.run(fetch_all()) if feeds else []


def read_entries(
    engine: Engine, polls: Sequence[FeedPoll]
) -> tuple[list[PendingEntry], list[FeedUpdate]]:
    """Parse fetched feeds and keep the entries never seen before (by feed + guid, and by URL)."""
    pending: list[PendingEntry] = []
    updates: list[FeedUpdate] = []
    taken: set[str] = set()  # canonical URLs already pending: a story in two feeds is fetched once
    with engine.connect() as conn:
        for poll in polls:
            update, entries = _read_poll(poll)
            fresh = _unseen(conn, poll.feed.id, entries, taken=taken)
            pending.extend(fresh)
            updates.append(replace(update, new_entries=len(fresh)))
    return pending, updates


def _read_poll(poll: FeedPoll) -> tuple[FeedUpdate, tuple[FeedEntry, ...]]:
    feed = poll.feed
    if poll.error is not None:
        retry = poll.error.retry_after if isinstance(poll.error, HttpStatusError) else None
        return FeedUpdate(
            feed.id, feed.url, "failed", error=str(poll.error), retry_after_s=retry
        ), ()
    assert poll.response is not None
    response = poll.response
    if response.not_modified:
        return FeedUpdate(feed.id, feed.url, "not_modified"), ()
    try:
        parsed = parse_feed(response.body, url=response.final_url, headers=response.headers)
    except FeedParseError as error:
        return FeedUpdate(feed.id, feed.url, "failed", error=str(error)), ()
    update = FeedUpdate(
        feed.id,
        feed.url,
        "fetched",
        etag=response.etag,
        last_modified=response.last_modified,
        title=parsed.title,
    )
    return update, parsed.entries


def _unseen(
    conn: Connection, feed_id: int, entries: Sequence[FeedEntry], *, taken: set[str]
) -> list[PendingEntry]:
    """The entries neither stored nor in `taken`; their canonical URLs are added to `taken`."""
    candidates = [PendingEntry(feed_id, e, canonical_url(e.url)) for e in entries]
    known_guids = article_store.known_guids(conn, feed_id, [c.entry.guid for c in candidates])
    known_urls = article_store.known_canonical_urls(conn, [c.canonical_url for c in candidates])
    fresh: list[PendingEntry] = []
    for candidate in candidates:
        url = candidate.canonical_url
        if candidate.entry.guid in known_guids or url in known_urls or url in taken:
            continue
        taken.add(url)
        fresh.append(candidate)
    return fresh
