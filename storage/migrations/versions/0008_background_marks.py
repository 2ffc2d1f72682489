"""Events recalled rather than reported (background), and marks within a type (a phone call, a
withdrawal) on events and incidents.

Revision ID: 0008_background_marks
Revises: 0007_runs
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_background_marks"
down_revision: str | None = "0007_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_KEY = ["article_id", "event_type", "span_start", "span_end", "watchlist_version"]


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("background", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        # "" for no mark: the natural key holds it, and NULLs would never compare equal there.
        batch.add_column(sa.Column("mark", sa.String(length=32), server_default="", nullable=False))
        batch.drop_constraint("uq_events_natural_key", type_="unique")
        batch.create_unique_constraint("uq_events_natural_key", [*_KEY[:2], "mark", *_KEY[2:]])
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("mark", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("mark")
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("uq_events_natural_key", type_="unique")
        batch.create_unique_constraint("uq_events_natural_key", _KEY)
        batch.drop_column("mark")
        batch.drop_column("background")
