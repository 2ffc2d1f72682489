"""The flows on their schedules in one process, with Prefect's `serve()`: what `newswatch serve`
runs once a Prefect server answers. Run as `python -m flows.serving`."""

from __future__ import annotations

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.digest import digest_flow
from flows.ingest import ingest_flow
from flows.maintenance import maintenance_flow
from flows.notify import notify_flow
from flows.settings import Settings

NOTIFY_INTERVAL_S = 60


def main() -> None:
    """Serve ingest (every `NEWSWATCH_INGEST_INTERVAL_S`), notify (every minute), the weekly
    digest (Monday 07:00 in `NEWSWATCH_DIGEST_TIMEZONE`) and daily maintenance until stopped."""
    settings = Settings()
    deployments = [
        ingest_flow.to_deployment(
            name="ingest", interval=settings.ingest_interval_s, concurrency_limit=1
        ),
        notify_flow.to_deployment(name="notify", interval=NOTIFY_INTERVAL_S, concurrency_limit=1),
        digest_flow.to_deployment(
            name="digest-weekly",
            schedule=Cron("0 7 * * 1", timezone=settings.digest_timezone),
            concurrency_limit=1,
        ),
        maintenance_flow.to_deployment(
            name="maintenance-daily", schedule=Cron("30 3 * * *"), concurrency_limit=1
        ),
    ]
    serve(*(_made(d) for d in deployments), pause_on_shutdown=False)


def _made(deployment: object) -> RunnerDeployment:
    # `to_deployment` dispatches on sync or async callers; here it has run already.
    assert isinstance(deployment, RunnerDeployment)
    return deployment


if __name__ == "__main__":
    main()
