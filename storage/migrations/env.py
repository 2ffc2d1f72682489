"""Alembic environment: migrates the database named by the config's `sqlalchemy.url`.

`storage.db.upgrade(url)` sets that option; the plain `alembic` command falls back to
`NEWSWATCH_DATABASE_URL` so that `alembic upgrade head` works from the repository root.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context

from storage.db import make_engine, normalize_url
from storage.models import Base
from storage.search import is_search_object

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("NEWSWATCH_DATABASE_URL")
    if not url:
        raise RuntimeError("no database: set NEWSWATCH_DATABASE_URL or sqlalchemy.url")
    return url


def _described(name: str | None, kind: str, parents: object) -> bool:
    """Autogenerate compares what the models describe: not the search tables and indexes."""
    return not is_search_object(name)


def run_migrations_offline() -> None:
    """Print the SQL (`alembic upgrade head --sql`) instead of running it."""
    url = normalize_url(_database_url())
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                include_name=_described,
                # SQLite alters tables by copying them; batch mode does that for us.
                render_as_batch=connection.dialect.name == "sqlite",
                # make_engine emits BEGIN on SQLite too, so a failed migration rolls back there.
                transactional_ddl=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
