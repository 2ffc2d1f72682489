"""Events detected in articles, and their actors.

Revision ID: 0002_events
Revises: 0001_feeds_articles_stories
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_events"
down_revision: str | None = "0001_feeds_articles_stories"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("modality", sa.String(length=16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("watchlist_version", sa.String(length=64), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("confidence BETWEEN 0 AND 1", name=op.f("ck_events_confidence")),
        sa.CheckConstraint("span_start <= span_end", name=op.f("ck_events_span")),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_events_article_id_articles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint(
            "article_id",
            "event_type",
            "span_start",
            "span_end",
            "watchlist_version",
            name="uq_events_natural_key",
        ),
    )
    op.create_index(op.f("ix_events_detected_at"), "events", ["detected_at"])
    op.create_index(op.f("ix_events_event_type"), "events", ["event_type"])
    op.create_table(
        "event_actors",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_actors_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "position", name=op.f("pk_event_actors")),
    )
    op.create_index(op.f("ix_event_actors_actor_id"), "event_actors", ["actor_id"])


def downgrade() -> None:
    op.drop_table("event_actors")
    op.drop_table("events")
