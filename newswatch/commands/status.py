"""`newswatch status`: feeds, recent articles and events, deliveries, the last run of each flow,
and what needs an operator; exit code 1 when something does, so it serves as a health check."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated

import typer
from rich.markup import escape

from flows.settings import Settings
from flows.status import FlowStatus, Status, gather_status
from newswatch.commands.output import console, print_json, print_table, when
from storage.runs import RunRecord


def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Is newswatch healthy? Exit code 1 when dead deliveries, mostly failing feeds or no recent
    successful ingest need an operator."""
    found = gather_status(Settings(), now=dt.datetime.now(dt.UTC))
    if as_json:
        print_json(status_json(found))
    else:
        show_status(found)
    if found.problems:
        raise typer.Exit(1)


def _run(record: RunRecord | None) -> dict[str, object] | None:
    if record is None:
        return None
    return {**asdict(record), "seconds": round(record.seconds, 3)}


def _flow(flow: FlowStatus) -> dict[str, object]:
    return {"last_run": _run(flow.last_run), "last_success": _run(flow.last_success)}


def status_json(found: Status) -> dict[str, object]:
    return {
        "healthy": not found.problems,
        "problems": list(found.problems),
        "checked_at": found.checked_at,
        **asdict(found.counts),
        "failing_feeds": [asdict(h) for h in found.failing],
        "silent_feeds": [asdict(h) for h in found.silent],
        "flows": {flow.flow: _flow(flow) for flow in found.flows},
        "watchlist_version": found.watchlist_version,
    }


def show_status(found: Status) -> None:
    c = found.counts
    console.print(
        f"feeds {c.feeds} ({c.feeds_due} due, {len(found.failing)} failing, "
        f"{len(found.silent)} silent) · last 24 h: {c.articles} articles, {c.events} events\n"
        f"deliveries: {c.deliveries_pending} pending, {c.deliveries_retrying} retrying, "
        f"{c.deliveries_sending} sending, {c.deliveries_dead} dead · "
        f"watchlist {found.watchlist_version or '-'}",
        highlight=False,
    )
    print_table(
        "Flows",
        ["flow", "last success", "took", "last run", "outcome"],
        (
            [
                f.flow,
                when(f.last_success.started_at) if f.last_success else "never",
                f"{f.last_success.seconds:.1f} s" if f.last_success else "-",
                when(f.last_run.started_at) if f.last_run else "never",
                (f.last_run.detail if f.last_run.succeeded else f"failed: {f.last_run.detail}")
                if f.last_run
                else "-",
            ]
            for f in found.flows
        ),
    )
    if found.failing or found.silent:
        print_table(
            "Feeds to look at",
            ["outlet", "problem", "detail", "url"],
            ([h.outlet, h.problem, h.detail, h.url] for h in (*found.failing, *found.silent)),
        )
    for problem in found.problems:
        console.print(f"needs an operator: {escape(problem)}", style="red", highlight=False)
    if not found.problems:
        console.print("healthy", style="green")
