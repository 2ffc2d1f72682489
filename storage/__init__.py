"""SQLAlchemy models, engine, queries and Alembic migrations: every SQL statement lives here."""
