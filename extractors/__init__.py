"""Bytes to facts: HTTP, feeds, articles, dedup and event detection. No database, no Prefect."""
