"""Prefect flows and tasks: thin orchestration over extractors, storage and alerts."""
