"""The Prefect ingest flow: one bounded batch of due feeds per run, one task per stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import ParamSpec, TypeVar

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.logs import configure_logging
from flows.pipeline import run_cycle
from flows.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")


def as_task(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a pipeline stage as a Prefect task; stages take engines and clients, so nothing is cached."""
    return task(name=fn.__name__.replace("_", "-"), cache_policy=NO_CACHE)(fn)


def flow_settings() -> Settings:
    """The settings of a flow run, with logging configured as they say."""
    settings = Settings()
    configure_logging(settings.log_format)
    return settings


@flow(name="ingest", log_prints=True)
def ingest_flow(include_all: bool = False) -> dict[str, object]:
    """Poll the due feeds (or all of them), store new articles and their events; return the summary."""
    summary = run_cycle(flow_settings(), include_all=include_all, wrap=as_task)
    print(
        f"{summary.feeds_polled} feeds polled, {summary.articles_stored} articles stored, "
        f"{summary.events_stored} events, {summary.feeds_failed} feeds failing"
    )
    return asdict(summary)
