"""`newswatch metrics`: the state of the system in Prometheus text format, read from the database at
each scrape; printed once, or served on /metrics with `--port`."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Annotated

import typer
from prometheus_client import CollectorRegistry, generate_latest, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from flows.settings import Settings
from flows.status import Status, gather_status


class StatusCollector(Collector):
    """Every metric from one `gather_status` per scrape."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def collect(self) -> Iterator[Metric]:
        return iter(status_metrics(gather_status(self.settings, now=dt.datetime.now(dt.UTC))))


def _gauge(name: str, documentation: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"newswatch_{name}", documentation, labels=labels)


def status_metrics(found: Status) -> list[Metric]:
    c = found.counts
    feeds = _gauge("feeds", "Feeds by state.", ["state"])
    for state, value in (
        ("total", c.feeds), ("due", c.feeds_due),
        ("failing", len(found.failing)), ("silent", len(found.silent)),
    ):  # fmt: skip
        feeds.add_metric([state], value)
    recent = _gauge("stored_last_24h", "Articles fetched and events detected in 24 h.", ["kind"])
    recent.add_metric(["articles"], c.articles)
    recent.add_metric(["events"], c.events)
    deliveries = _gauge("deliveries", "Outbox deliveries by state.", ["status"])
    for status, value in (
        ("pending", c.deliveries_pending), ("retrying", c.deliveries_retrying),
        ("sending", c.deliveries_sending), ("dead", c.deliveries_dead),
    ):  # fmt: skip
        deliveries.add_metric([status], value)
    success = _gauge(
        "flow_last_success_timestamp_seconds", "When each flow last succeeded.", ["flow"]
    )
    duration = _gauge(
        "flow_last_run_duration_seconds", "How long each flow's last run took.", ["flow"]
    )
    failed = _gauge("flow_last_run_failed", "1 when the flow's last run failed.", ["flow"])
    for flow in found.flows:
        if flow.last_success is not None:
            success.add_metric([flow.flow], flow.last_success.finished_at.timestamp())
        if flow.last_run is not None:
            duration.add_metric([flow.flow], flow.last_run.seconds)
            failed.add_metric([flow.flow], 0 if flow.last_run.succeeded else 1)
    ingest = _gauge("last_ingest", "What the last successful ingest counted.", ["measure"])
    stages = _gauge("last_ingest_stage_seconds", "The last successful ingest's stages.", ["stage"])
    last = found.flows[0].last_success
    for key, amount in (last.stats if last else {}).items():
        if key.startswith("stage_seconds."):
            stages.add_metric([key.removeprefix("stage_seconds.")], amount)
        else:
            ingest.add_metric([key], amount)
    healthy = _gauge("healthy", "1 when nothing needs an operator (see newswatch status).")
    healthy.add_metric([], 0 if found.problems else 1)
    return [feeds, recent, deliveries, success, duration, failed, ingest, stages, healthy]


def metrics(
    port: Annotated[
        int | None, typer.Option(help="Serve /metrics on 127.0.0.1:PORT until stopped.")
    ] = None,
) -> None:
    """Feeds, recent articles and events, deliveries by state, each flow's last run, the last
    ingest's counts and stage durations, in Prometheus text format."""
    registry = CollectorRegistry()
    registry.register(StatusCollector(Settings()))
    if port is None:
        typer.echo(generate_latest(registry).decode(), nl=False)
        return
    server, thread = start_http_server(port, addr="127.0.0.1", registry=registry)
    typer.echo(f"serving metrics on http://127.0.0.1:{port}/metrics; stop with Ctrl-C")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()
        thread.join()
