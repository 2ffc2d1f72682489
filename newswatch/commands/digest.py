"""`newswatch digest`: a subscription's digest of a week or a run of days, written as HTML,
Markdown (with its chart beside it) or JSON, or built once and sent to the subscription's channels."""

from __future__ import annotations

import base64
import datetime as dt
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from alerts.chart import chart_png
from alerts.digest import Digest
from alerts.digest_render import digest_html, digest_json, digest_markdown
from alerts.period import PeriodError
from alerts.subscriptions import SubscriptionError
from alerts.weekly import DigestRun, UnknownSubscription
from flows.alerting import run_notify
from flows.digesting import period_choice, preview_digest, run_digests
from flows.settings import Settings
from newswatch.commands.output import console


class Format(StrEnum):
    html = "html"
    md = "md"
    json = "json"


def write_digest(digest: Digest, form: Format, out: Path | None) -> list[Path]:
    """Write `digest` to `out` (standard output when None); returns the files written. Markdown
    gets its chart as a PNG beside it; HTML carries the chart inside, as a data URI."""
    written: list[Path] = []
    if form is Format.json:
        body = digest_json(digest)
    elif form is Format.html:
        png = base64.b64encode(chart_png(digest.period, digest.per_day)).decode()
        body = digest_html(digest, chart_src=f"data:image/png;base64,{png}").encode()
    else:
        chart = None
        if out is not None:
            chart = out.with_suffix(".png")
            chart.write_bytes(chart_png(digest.period, digest.per_day))
            written.append(chart)
        body = digest_markdown(digest, chart_file=chart.name if chart else None).encode()
    if out is None:
        typer.echo(body.decode(), nl=False)
        return written
    out.write_bytes(body)
    return [out, *written]


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"not a date: {value!r} (use YYYY-MM-DD)", param_hint=option
        ) from None


def digest(
    week: Annotated[
        str | None, typer.Option(help="ISO week, like 2026-W48 (default: the last full week).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="First day, YYYY-MM-DD (instead of --week).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Last day, included (default: today).")] = None,
    subscription: Annotated[
        str | None,
        typer.Option(
            help="Only this subscription (default: every incident; with --send, every subscription with delivery: digest)."
        ),
    ] = None,
    form: Annotated[Format, typer.Option("--format", help="What to write.")] = Format.md,
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
    send: Annotated[
        bool,
        typer.Option(
            help="Store the digest and send it to the subscription's channels, once per period."
        ),
    ] = False,
) -> None:
    """A weekly digest: the top incidents, first-time items, hedged and planned moves apart, counts
    against the period before, a chart per day, and the health of the sources. Weeks are ISO weeks
    in each subscription's time zone."""
    if week is not None and (since or until):
        raise typer.BadParameter("give --week or --since/--until, not both")
    settings = Settings()
    now = dt.datetime.now(dt.UTC)
    choose = period_choice(
        week=week, since=_date(since, "--since"), until=_date(until, "--until"), now=now
    )
    try:
        if not send:
            write_digest(
                preview_digest(settings, choose, now=now, subscription=subscription), form, out
            )
            return
        runs = run_digests(settings, choose, now=now, subscription=subscription)
    except (PeriodError, UnknownSubscription, SubscriptionError) as error:
        typer.echo(f"newswatch digest: {error}", err=True)
        raise typer.Exit(2) from error
    show_runs(runs)
    summary = run_notify(settings, os.environ)
    console.print(
        f"deliveries: {summary.sent} sent, {summary.retrying} to retry, {summary.dead} failed",
        highlight=False,
    )
    if out is not None and len(runs) == 1:
        for path in write_digest(runs[0].digest, form, out):
            console.print(f"wrote {escape(str(path))}", highlight=False)


def show_runs(runs: list[DigestRun]) -> None:
    if not runs:
        console.print("no subscription has delivery: digest", highlight=False)
    for run in runs:
        state = (
            f"queued to {run.channels} channel{'s' if run.channels != 1 else ''}"
            if run.queued
            else "built before: not sent again"
        )
        console.print(
            f"{escape(run.subscription)} {run.digest.period.key}: "
            f"{run.digest.totals.incidents} incidents, {state}",
            highlight=False,
        )
