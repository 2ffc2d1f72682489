"""Weekly digests: one stored digest per subscription and period, delivered through the outbox;
incidents indexed by when they were first seen, which is how digests read them.

Revision ID: 0005_digests
Revises: 0004_watchlist_snapshots
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_digests"
down_revision: str | None = "0004_watchlist_snapshots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription", sa.Text(), nullable=False),
        sa.Column("period_key", sa.String(length=64), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests")),
        sa.UniqueConstraint(
            "subscription", "period_key", name=op.f("uq_digests_subscription_period_key")
        ),
    )
    op.create_index(op.f("ix_incidents_first_seen"), "incidents", ["first_seen"], unique=False)
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("digest_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_deliveries_digest_id_digests"),
            "digests",
            ["digest_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(op.f("fk_deliveries_digest_id_digests"), type_="foreignkey")
        batch.drop_column("digest_id")
    op.drop_table("digests")
    op.drop_index(op.f("ix_incidents_first_seen"), table_name="incidents")
