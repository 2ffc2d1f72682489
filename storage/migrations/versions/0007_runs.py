"""Flow runs: when each flow last ran, how long, and whether it succeeded (`newswatch status`).

Revision ID: 0007_runs
Revises: 0006_feed_claims
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_runs"
down_revision: str | None = "0006_feed_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("watchlist_version", sa.String(length=64), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index(
        "ix_runs_flow_succeeded_started_at", "runs", ["flow", "succeeded", "started_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_runs_flow_succeeded_started_at", table_name="runs")
    op.drop_table("runs")
