"""The analysts' web UI: users, feedback, held deliveries, and full-text search over articles and
evidence sentences (PostgreSQL: a stored generated tsvector column with a GIN index; SQLite: FTS5
tables kept by triggers). The search objects are not in the models; `storage.search.is_search_object` names them.

Revision ID: 0009_web
Revises: 0008_background_marks
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_web"
down_revision: str | None = "0008_background_marks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = "'pending', 'sending', 'sent', 'dead'"
_VERDICTS = "'correct', 'wrong_type', 'wrong_actors', 'not_event', 'wrong_modality'"
# (table, FTS table, columns): SQLite keeps an FTS5 index of each, PostgreSQL a GIN index.
_SEARCHED = (
    ("articles", "articles_fts", ("title", "text")),
    ("events", "events_fts", ("evidence",)),
)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('read', 'write')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("right_type", sa.String(length=64), nullable=True),
        sa.Column("right_modality", sa.String(length=16), nullable=True),
        sa.Column("right_actors", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"verdict IN ({_VERDICTS})", name=op.f("ck_feedback_verdict")),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_feedback_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_feedback_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index(op.f("ix_feedback_incident_id"), "feedback", ["incident_id"])
    op.create_index(op.f("ix_feedback_created_at"), "feedback", ["created_at"])
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(op.f("ck_deliveries_status"), type_="check")
        batch.create_check_constraint("status", f"status IN ({_STATUSES}, 'held')")
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_search()
    else:
        _sqlite_search()


def _postgresql_search() -> None:
    """A stored tsvector column per searched table: ranking reads it instead of parsing each
    matching text again."""
    for table, _, columns in _SEARCHED:
        document = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_document tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('english', {document})) STORED"
        )
        op.execute(f"CREATE INDEX ix_search_{table} ON {table} USING gin (search_document)")


def _sqlite_search() -> None:
    for table, fts, columns in _SEARCHED:
        names = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        forget = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
        remember = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', "
            "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {remember} END")
        op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {forget} END")
        op.execute(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} "
            f"BEGIN {forget} {remember} END"
        )
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _, _ in _SEARCHED:
            op.execute(f"DROP INDEX ix_search_{table}")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_document")
    else:
        for _, fts, _ in _SEARCHED:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER {fts}_{suffix}")
            op.execute(f"DROP TABLE {fts}")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(op.f("ck_deliveries_status"), type_="check")
        batch.create_check_constraint("status", f"status IN ({_STATUSES})")
    op.drop_table("feedback")
    op.drop_table("users")
