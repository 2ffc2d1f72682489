"""Snapshots of the last custom watchlist that loaded, so a rejected one never replaces it.

Revision ID: 0004_watchlist_snapshots
Revises: 0003_alerts
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_watchlist_snapshots"
down_revision: str | None = "0003_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "watchlist_snapshots",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_watchlist_snapshots")),
    )
    op.create_index(
        op.f("ix_watchlist_snapshots_saved_at"), "watchlist_snapshots", ["saved_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_watchlist_snapshots_saved_at"), table_name="watchlist_snapshots")
    op.drop_table("watchlist_snapshots")
