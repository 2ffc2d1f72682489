"""Feeds with their polling state, articles, and stories that group near-duplicate articles.

Revision ID: 0001_feeds_articles_stories
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_feeds_articles_stories"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BANDS = tuple(f"simhash_band{i}" for i in range(4))


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("poll_interval_s", sa.Integer(), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_new_entries_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feeds")),
        sa.UniqueConstraint("url", name=op.f("uq_feeds_url")),
    )
    op.create_index(op.f("ix_feeds_next_poll_at"), "feeds", ["next_poll_at"])
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_article_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("simhash", sa.BigInteger(), nullable=False),
        *(sa.Column(band, sa.Integer(), nullable=False) for band in _BANDS),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("extracted", sa.Boolean(), nullable=False),
        sa.Column("extraction_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            " AND ".join(f"{band} BETWEEN 0 AND 65535" for band in _BANDS),
            name=op.f("ck_articles_simhash_bands"),
        ),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"], name=op.f("fk_articles_feed_id_feeds")),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_articles_story_id_stories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_articles_canonical_url")),
        sa.UniqueConstraint("feed_id", "guid", name=op.f("uq_articles_feed_id_guid")),
    )
    for column in ("fetched_at", "story_id"):
        op.create_index(op.f(f"ix_articles_{column}"), "articles", [column])
    for column in ("content_hash", *_BANDS):
        op.create_index(op.f(f"ix_articles_{column}"), "articles", [column, "fetched_at"])


def downgrade() -> None:
    op.drop_table("articles")
    op.drop_table("stories")
    op.drop_table("feeds")
