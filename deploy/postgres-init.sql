-- Prefect's own database, beside newswatch's in the same PostgreSQL.
CREATE DATABASE prefect OWNER newswatch;
