"""SQLAlchemy declarative models: the schema that the Alembic migrations create and must match.

Query modules use these tables through SQLAlchemy Core and hand out frozen dataclasses, never
instances of these classes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from storage.types import UTCDateTime

# Deterministic constraint names: autogenerate stays stable and migrations can drop them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, TypeEngine[Any]]] = {
        datetime: UTCDateTime(),
        str: Text(),
    }


class Feed(Base):
    """A polled RSS/Atom feed with its polling state (schedule, conditional GET, failures)."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(unique=True)
    title: Mapped[str | None]
    added_at: Mapped[datetime]
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]
    next_poll_at: Mapped[datetime] = mapped_column(index=True)
    poll_interval_s: Mapped[int]
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_new_entries_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int]
    last_error: Mapped[str | None]
    last_status: Mapped[str | None] = mapped_column(String(20))


class Story(Base):
    """Articles that report the same text (syndicated copies, light rewrites) share one story."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str]
    created_at: Mapped[datetime]
    last_article_at: Mapped[datetime]
    article_count: Mapped[int]


class Article(Base):
    """One fetched article; `extracted` is False when the feed summary stands in for the page."""

    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("feed_id", "guid"),
        CheckConstraint(
            " AND ".join(f"simhash_band{i} BETWEEN 0 AND 65535" for i in range(4)),
            name="simhash_bands",
        ),
        # Story candidates are looked up by hash or band within a recent window: with the time in
        # the index, old articles cost nothing however long the history grows.
        *(
            Index(None, column, "fetched_at")
            for column in ("content_hash", *(f"simhash_band{i}" for i in range(4)))
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id"))
    guid: Mapped[str]
    url: Mapped[str]
    canonical_url: Mapped[str] = mapped_column(unique=True)
    title: Mapped[str]
    author: Mapped[str | None]
    text: Mapped[str]
    summary: Mapped[str | None]
    language: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime] = mapped_column(index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    # The 64-bit fingerprint stored signed (BIGINT); its four 16-bit bands find candidates by index.
    simhash: Mapped[int] = mapped_column(BigInteger)
    simhash_band0: Mapped[int]
    simhash_band1: Mapped[int]
    simhash_band2: Mapped[int]
    simhash_band3: Mapped[int]
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    extracted: Mapped[bool]
    extraction_error: Mapped[str | None]


class Event(Base):
    """An event found in an article; detecting it again with the same watchlist is a no-op."""

    __tablename__ = "events"
    __table_args__ = (
        # Named by hand: the convention's name is longer than PostgreSQL's 63-character limit.
        UniqueConstraint(
            "article_id",
            "event_type",
            "span_start",
            "span_end",
            "watchlist_version",
            name="uq_events_natural_key",
        ),
        CheckConstraint("span_start <= span_end", name="span"),
        CheckConstraint("confidence BETWEEN 0 AND 1", name="confidence"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    event_type: Mapped[str] = mapped_column(String(64), index=True)
    modality: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str]
    span_start: Mapped[int]
    span_end: Mapped[int]
    watchlist_version: Mapped[str] = mapped_column(String(64))
    detected_at: Mapped[datetime] = mapped_column(index=True)


class EventActor(Base):
    """An actor of an event, in the order the matcher reported them."""

    __tablename__ = "event_actors"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str]
    role: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(64))


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)  # declarative typing says FromClause; it is always a Table
    return table


# Query modules work on these tables with SQLAlchemy Core, which is several times faster in bulk.
feeds = _table(Feed)
stories = _table(Story)
articles = _table(Article)
events = _table(Event)
event_actors = _table(EventActor)
