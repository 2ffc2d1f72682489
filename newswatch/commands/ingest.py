"""`newswatch run` and `newswatch db upgrade`: one ingest cycle without a Prefect server, and migrations."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from flows.pipeline import run_cycle
from flows.settings import Settings
from flows.storing import IngestSummary
from newswatch.commands.output import console
from storage.db import upgrade

STAGES = 4
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database named by NEWSWATCH_DATABASE_URL to the latest schema."""
    upgrade(Settings().database_url)
    console.print("database is at the latest schema")


@contextmanager
def stage_progress() -> Iterator[Callable[[str, int], None] | None]:
    """A progress bar over the cycle's stages on a terminal; nothing when output is piped."""
    if not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("starting", total=STAGES)

        def advance(stage: str, count: int) -> None:
            progress.update(task, advance=1, description=f"{stage} ({count})")

        yield advance


def print_summary(summary: IngestSummary, *, title: str = "Ingest cycle") -> None:
    console.print(f"[bold]{title}[/bold] in {summary.seconds:.1f} s", highlight=False)
    console.print(
        f"  feeds polled {summary.feeds_polled}: {summary.feeds_fetched} fetched, "
        f"{summary.feeds_not_modified} not modified (304), {summary.feeds_failed} failing",
        highlight=False,
    )
    console.print(
        f"  new entries {summary.new_entries}, articles stored {summary.articles_stored} "
        f"({summary.joined_stories} joined an existing story), "
        f"extraction failures {summary.extraction_failures} (feed summary kept)",
        highlight=False,
    )
    console.print(
        f"  events stored {summary.events_stored}: {summary.incidents_created} new incidents, "
        f"{summary.incidents_updated} updated, {summary.alerts_queued} alerts queued",
        highlight=False,
    )
    console.print(f"  watchlist {summary.watchlist_version}", highlight=False)
    if summary.watchlist_rejected:
        console.print(
            f"  [red]watchlist rejected[/red], the one above stays in force: "
            f"{escape(summary.watchlist_rejected)}",
            highlight=False,
        )
    for url, reason in summary.failures:
        console.print(f"  [red]failing[/red] {escape(url)}: {escape(reason)}", highlight=False)


def run(
    include_all: Annotated[
        bool, typer.Option("--all", help="Poll every feed, due or not.")
    ] = False,
) -> None:
    """Run one ingest cycle over the due feeds and print what it did."""
    with stage_progress() as on_stage:
        summary = run_cycle(Settings(), include_all=include_all, on_stage=on_stage)
    print_summary(summary)
