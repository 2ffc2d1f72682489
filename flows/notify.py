"""The Prefect notify flow: one delivery pass over the due outbox rows per run."""

from __future__ import annotations

import os
from dataclasses import asdict

from prefect import flow

from flows.alerting import run_notify
from flows.ingest import as_task, flow_settings
from flows.settings import Settings


def deliver_due(settings: Settings) -> dict[str, object]:
    """One pass; the secrets that subscriptions name are read from this process's environment."""
    return asdict(run_notify(settings, os.environ))


@flow(name="notify", log_prints=True)
def notify_flow() -> dict[str, object]:
    """Deliver the alerts that are due; return what was sent, retried and given up."""
    summary = as_task(deliver_due)(flow_settings())
    print(
        f"{summary['claimed']} deliveries claimed, {summary['sent']} sent, "
        f"{summary['retrying']} to retry, {summary['dead']} dead"
    )
    return summary
