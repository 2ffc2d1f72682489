"""The Prefect maintenance flow: retention of old article texts and run records, and feed health."""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow

from flows.ingest import as_task, flow_settings
from flows.maintaining import run_maintenance


@flow(name="maintenance", log_prints=True)
def maintenance_flow() -> dict[str, object]:
    """Empty the texts of articles past retention, forget old run records, list feeds to check."""
    summary = as_task(run_maintenance)(flow_settings())
    for feed in summary.feeds_to_check:
        print(f"{feed.outlet} {feed.problem}: {feed.detail} ({feed.url})")
    print(
        f"{summary.texts_emptied} article texts emptied, {summary.runs_forgotten} run records "
        f"forgotten, {len(summary.feeds_to_check)} feeds to check"
    )
    return asdict(summary)
