"""SQLAlchemy declarative models: the schema that the Alembic migrations create and must match.

Query modules use these tables through SQLAlchemy Core and hand out frozen dataclasses, never
instances of these classes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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
    false,
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
    # Set while an ingest run polls the feed; a crashed run's claim simply expires.
    claimed_until: Mapped[datetime | None]


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
            "mark",
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
    # Recalled, not reported ("since 2022", "still posted"): kept, never grouped or alerted.
    background: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # A kind of act within the type: "phone_call" (official_visit), "withdrawal" (troop_deployment);
    # "" for none, so that the natural key (which holds it) compares it.
    mark: Mapped[str] = mapped_column(String(32), server_default="")


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


# --- Alerts: incidents, the events they group, and the delivery outbox ---------------------------


class Incident(Base):
    """Reports of one thing (same type and actors within a time window, or one story) grouped.
    `version` grows with each change worth a new alert; deliveries are keyed by it."""

    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_event_type_actor_key", "event_type", "actor_key"),
        CheckConstraint("confidence BETWEEN 0 AND 1", name="confidence"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    # The sorted ids of the states and organisations involved, comma-separated: "ARM,AZE".
    actor_key: Mapped[str]
    # [{"id", "name", "role", "via"}]: the actors, and the person or body who acted for a state.
    actors: Mapped[list[dict[str, str | None]]] = mapped_column(JSON)
    # The mark of its events: a phone call or a withdrawal is an incident apart from visits and
    # deployments of the same actors.
    mark: Mapped[str | None] = mapped_column(String(32))
    modality: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str]
    best_event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    # Digests read incidents by when they were first seen, alerts lists by when last seen.
    first_seen: Mapped[datetime] = mapped_column(index=True)
    last_seen: Mapped[datetime] = mapped_column(index=True)
    source_count: Mapped[int]
    version: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class IncidentEvent(Base):
    """Which incident an event belongs to; each event belongs to one at most."""

    __tablename__ = "incident_events"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )


class Delivery(Base):
    """An outbox row: one message to one channel of one subscription, written in the transaction
    that changed its incidents, and marked sent only once the channel accepted it."""

    __tablename__ = "deliveries"
    __table_args__ = (
        # "held": an analyst marked its incident wrong and held its alerts (web UI feedback).
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'dead', 'held')", name="status"),
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_deliveries_subscription_target_key", "subscription", "target_key", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    subscription: Mapped[str]
    channel: Mapped[str] = mapped_column(String(16))
    # Where it goes, secret-free: environment variable names stand in for URLs and tokens.
    target_key: Mapped[str]
    target: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A grouped delivery takes in further alerts until its first attempt.
    grouped: Mapped[bool]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int]
    due_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # Set for a digest delivery: its content is the stored digest, not incidents.
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))


class DeliveryItem(Base):
    """An incident in a delivery, at the version that caused it; `update_reason` is None for the
    first alert about it."""

    __tablename__ = "delivery_items"

    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("deliveries.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    incident_version: Mapped[int]
    update_reason: Mapped[str | None]


class Digest(Base):
    """A subscription's digest of one period, built once: every channel and every retry sends this
    content, and the unique period keeps a second run from building (and sending) another."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("subscription", "period_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription: Mapped[str]
    # "2026-W47" for an ISO week, "2026-11-16..2026-11-22" for other periods.
    period_key: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


incidents = _table(Incident)
incident_events = _table(IncidentEvent)
deliveries = _table(Delivery)
delivery_items = _table(DeliveryItem)
digests = _table(Digest)


# --- Watchlists: the last one that loaded, kept in force when a new one is rejected -------------


class WatchlistSnapshot(Base):
    """The files of a custom watchlist that loaded without problems, by their content version."""

    __tablename__ = "watchlist_snapshots"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    # {path relative to the configured watchlist: file text}
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(index=True)


watchlist_snapshots = _table(WatchlistSnapshot)


# --- The analysts' web UI: who may sign in, and what they said about incidents ------------------


class User(Base):
    """An analyst who may sign in: `role` "read" looks, "write" also changes feeds and watchlists
    and holds alerts. The password is kept as an argon2 hash only."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('read', 'write')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str]
    role: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]


class Feedback(Base):
    """An analyst's verdict on an incident, or on one of its events (`event_id`), with what was
    right instead when they said so; the latest verdict on an incident is its review."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint(
            "verdict IN ('correct', 'wrong_type', 'wrong_actors', 'not_event', 'wrong_modality')",
            name="verdict",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(16))
    # The right type, modality or actors ("RUS:source UKR:target"), when the analyst gave them.
    right_type: Mapped[str | None] = mapped_column(String(64))
    right_modality: Mapped[str | None] = mapped_column(String(16))
    right_actors: Mapped[str | None]
    comment: Mapped[str] = mapped_column(Text, server_default="")
    username: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(index=True)


users = _table(User)
feedback = _table(Feedback)


# --- Operations: every flow run, for `newswatch status` -------------------------------------------


class Run(Base):
    """One run of a flow (ingest, notify, digest, maintenance), whether it succeeded, how long it
    took, and what it did in a line."""

    __tablename__ = "runs"
    __table_args__ = (
        Index("ix_runs_flow_succeeded_started_at", "flow", "succeeded", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    succeeded: Mapped[bool]
    detail: Mapped[str]
    watchlist_version: Mapped[str | None] = mapped_column(String(64))
    # What the run counted and timed ({"feeds_polled": 12, "stage_seconds.polling feeds": 0.8}).
    stats: Mapped[dict[str, float]] = mapped_column(JSON)


runs = _table(Run)
