"""Stories: an article joins the story of an earlier article with the same or nearly the same text.

Near-duplicates are found like this: the 64-bit signature is cut into four 16-bit bands, articles
whose band equals one of the new article's band "probes" (the band itself and its 16 one-bit
variants) are candidates (by index), and the Hamming distance decides. Two signatures within 7 bits
always have a band within 1 bit of each other, so recall is complete up to 7 bits; beyond that (up
to `max_distance`) a copy is found when one band happens to be that close.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, insert, select, union, update

from storage.db import chunked, one_of
from storage.models import articles, stories

_BAND_BITS = 16
_BAND_COUNT = 4
_MASK64 = (1 << 64) - 1
# One-bit probes cost 17 index lookups per band; two-bit probes (137) found only 5% more copies.
_PROBE_MASKS = (0, *(1 << bit for bit in range(_BAND_BITS)))
BAND_COLUMNS = tuple(articles.c[f"simhash_band{i}"] for i in range(_BAND_COUNT))


def to_unsigned64(simhash: int) -> int:
    return simhash & _MASK64


def to_signed64(simhash: int) -> int:
    """The fingerprint as PostgreSQL's BIGINT holds it (two's complement)."""
    unsigned = to_unsigned64(simhash)
    return unsigned - (1 << 64) if unsigned >> 63 else unsigned


def simhash_bands(simhash: int) -> tuple[int, ...]:
    unsigned = to_unsigned64(simhash)
    mask = (1 << _BAND_BITS) - 1
    return tuple((unsigned >> (_BAND_BITS * i)) & mask for i in range(_BAND_COUNT))


def band_probes(simhash: int) -> tuple[tuple[int, ...], ...]:
    """Per band, the values within one bit of it: what the band index is searched for."""
    return tuple(tuple(band ^ mask for mask in _PROBE_MASKS) for band in simhash_bands(simhash))


@dataclass(frozen=True)
class Fingerprint:
    """What story assignment needs of an article. Without text it neither joins nor is joined:
    every empty page has the same hash, and they must not all become one story."""

    content_hash: str
    simhash: int
    title: str
    has_text: bool


@dataclass
class _StoryIndex:
    """Known fingerprints, each pointing at a slot: an existing story, or one still to create."""

    existing: dict[int, int] = field(default_factory=dict)  # slot -> story id
    new_titles: dict[int, str] = field(default_factory=dict)  # slot -> title of the new story
    _slot_of_story: dict[int, int] = field(default_factory=dict)
    _by_hash: dict[str, int] = field(default_factory=dict)
    _by_band: tuple[dict[int, list[tuple[int, int]]], ...] = field(
        default_factory=lambda: tuple({} for _ in range(_BAND_COUNT))
    )

    def add_existing(self, story_id: int, content_hash: str, simhash: int) -> None:
        slot = self._slot_of_story.get(story_id)
        if slot is None:
            slot = self._slot_of_story[story_id] = self._next_slot()
            self.existing[slot] = story_id
        self._add(slot, content_hash, simhash)

    def add_new(self, fingerprint: Fingerprint) -> int:
        slot = self._next_slot()
        self.new_titles[slot] = fingerprint.title
        if fingerprint.has_text:
            self._add(slot, fingerprint.content_hash, fingerprint.simhash)
        return slot

    def _next_slot(self) -> int:
        return len(self.existing) + len(self.new_titles)

    def _add(self, slot: int, content_hash: str, simhash: int) -> None:
        self._by_hash.setdefault(content_hash, slot)
        for band, value in zip(self._by_band, simhash_bands(simhash), strict=True):
            band.setdefault(value, []).append((simhash, slot))

    def find(self, fingerprint: Fingerprint, max_distance: int) -> int | None:
        """The slot of the exact copy, else of the nearest near-duplicate (earliest on ties)."""
        if not fingerprint.has_text:
            return None
        if fingerprint.content_hash in self._by_hash:
            return self._by_hash[fingerprint.content_hash]
        best: tuple[int, int] | None = None  # (distance, slot)
        for band, probes in zip(self._by_band, band_probes(fingerprint.simhash), strict=True):
            for simhash, slot in (hit for value in probes for hit in band.get(value, ())):
                distance = (simhash ^ fingerprint.simhash).bit_count()
                if distance <= max_distance and (best is None or (distance, slot) < best):
                    best = (distance, slot)
        return None if best is None else best[1]


def _load_candidates(
    conn: Connection, index: _StoryIndex, batch: Sequence[Fingerprint], since: datetime
) -> None:
    matchable = [f for f in batch if f.has_text]
    if not matchable:
        return
    probes = zip(*(band_probes(f.simhash) for f in matchable), strict=True)
    lookups = [
        one_of(conn, articles.c.content_hash, {f.content_hash for f in matchable}),
        *(
            one_of(conn, column, {value for values in per_article for value in values})
            for column, per_article in zip(BAND_COLUMNS, probes, strict=True)
        ),
    ]
    # One indexed query per lookup: OR-ed together, planners fall back to scanning the window.
    columns = (articles.c.id, articles.c.story_id, articles.c.content_hash, articles.c.simhash)
    candidates = union(
        *(select(*columns).where(lookup, articles.c.fetched_at >= since) for lookup in lookups)
    )
    query = candidates.order_by(candidates.selected_columns.id)
    for _id, story_id, content_hash, simhash in conn.execute(query):
        index.add_existing(story_id, content_hash, to_unsigned64(simhash))


def assign_stories(
    conn: Connection,
    fingerprints: Sequence[Fingerprint],
    *,
    now: datetime,
    since: datetime,
    max_distance: int,
) -> tuple[list[int], set[int]]:
    """Story ids for `fingerprints`, in order, and which of them were created here.

    Candidates are articles fetched since `since` and the earlier fingerprints of this batch.
    New stories already count the articles assigned to them; `settle_story_counts` does the rest
    once the articles are stored.
    """
    index = _StoryIndex()
    slot_of: list[int] = []
    for batch in chunked(fingerprints):
        _load_candidates(conn, index, batch, since)
        for fingerprint in batch:
            slot = index.find(fingerprint, max_distance)
            slot_of.append(index.add_new(fingerprint) if slot is None else slot)
    sizes = Counter(slot_of)
    new_stories = [(title, sizes[slot]) for slot, title in index.new_titles.items()]
    # Dicts keep insertion order, so the created ids line up with new_titles.
    created = _create_stories(conn, new_stories, now)
    story_of_slot = index.existing | dict(zip(index.new_titles, created, strict=True))
    return [story_of_slot[slot] for slot in slot_of], set(created)


def _create_stories(
    conn: Connection, new_stories: Sequence[tuple[str, int]], now: datetime
) -> list[int]:
    if not new_stories:
        return []
    rows = [
        {"title": title, "created_at": now, "last_article_at": now, "article_count": size}
        for title, size in new_stories
    ]
    statement = insert(stories).returning(stories.c.id, sort_by_parameter_order=True)
    return list(conn.execute(statement, rows).scalars())


def settle_story_counts(
    conn: Connection,
    assigned: Sequence[int],
    stored: Sequence[int],
    created: set[int],
    *,
    now: datetime,
) -> None:
    """Count the `stored` articles (story id of each) in the stories they joined.

    Stories in `created` were counted from `assigned`; they shrink by the articles that a
    concurrent writer stored first, and go away if none of theirs was stored.
    """
    assigned_counts, stored_counts = Counter(assigned), Counter(stored)
    deltas = {story: n for story, n in stored_counts.items() if story not in created}
    deltas |= {
        story: stored_counts[story] - assigned_counts[story]
        for story in created
        if stored_counts[story] != assigned_counts[story]
    }
    if deltas:
        statement = (
            update(stories)
            .where(stories.c.id == bindparam("story_id"))
            .values(article_count=stories.c.article_count + bindparam("delta"), last_article_at=now)
        )
        conn.execute(statement, [{"story_id": s, "delta": n} for s, n in deltas.items()])
    emptied = [story for story in created if not stored_counts[story]]
    for batch in chunked(emptied):
        conn.execute(delete(stories).where(one_of(conn, stories.c.id, batch)))
