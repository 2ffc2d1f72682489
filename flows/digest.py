"""The Prefect digest flow: build each digest subscription's digest of the last full week (or of
the week asked for), queue it once, and deliver it. The weekly schedule runs it on Monday morning."""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import UTC, datetime

from prefect import flow

from flows.alerting import run_notify
from flows.digesting import period_choice, run_digests
from flows.ingest import as_task, flow_settings
from flows.settings import Settings


def build_digests(
    settings: Settings, week: str | None, subscription: str | None, every: bool
) -> list[dict[str, object]]:
    """Build and queue the digests; what each subscription got, as plain data for the run's result."""
    now = datetime.now(UTC)
    choose = period_choice(week=week, since=None, until=None, now=now)
    runs = run_digests(settings, choose, now=now, subscription=subscription, every=every)
    return [
        {
            "subscription": run.subscription,
            "period": run.digest.period.key,
            "incidents": run.digest.totals.incidents,
            "queued": run.queued,
        }
        for run in runs
    ]


def deliver_digests(settings: Settings) -> dict[str, object]:
    return asdict(run_notify(settings, os.environ))


@flow(name="digest", log_prints=True)
def digest_flow(
    week: str | None = None, subscription: str | None = None, every_subscription: bool = False
) -> dict[str, object]:
    """Digests of `week` (default: the last full ISO week in each subscription's time zone) for
    `subscription`, or every subscription with `delivery: digest` (all of them with
    `every_subscription`). A digest already built for its period is not sent again."""
    settings = flow_settings()
    runs = as_task(build_digests)(settings, week, subscription, every_subscription)
    for run in runs:
        state = "queued" if run["queued"] else "built before, not sent again"
        print(f"{run['subscription']} {run['period']}: {run['incidents']} incidents, {state}")
    summary = as_task(deliver_digests)(settings)
    print(
        f"{summary['sent']} deliveries sent, {summary['retrying']} to retry, {summary['dead']} dead"
    )
    return {"digests": runs, "delivery": summary}
