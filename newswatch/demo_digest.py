"""The demo's weekly digest: built for the demo week, written as HTML, Markdown with its chart, JSON
and a browser screenshot under the demo folder, and emailed to the SMTP sink once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rich.markup import escape

from flows.digesting import period_choice, run_digests
from flows.settings import Settings
from newswatch.browser import BrowserMissing, screenshot
from newswatch.commands.digest import Format, show_runs, write_digest
from newswatch.commands.output import console

DEMO_WEEK = "2026-W47"  # 16-22 November 2026: most of the demo corpus, and the week before it


def run_demo_digest(settings: Settings, folder: Path) -> None:
    """Build and queue the demo subscriptions' digests of the demo week; the first call also
    writes the files into `folder`. A later call finds the digest built and queues nothing."""
    now = datetime.now(UTC)
    choose = period_choice(week=DEMO_WEEK, since=None, until=None, now=now)
    runs = run_digests(settings, choose, now=now)
    console.print("\n[bold]Weekly digest[/bold]", highlight=False)
    show_runs(runs)
    if folder.exists() or not runs:
        return
    folder.mkdir(parents=True)
    digest = runs[0].digest
    stem = folder / f"digest-{digest.period.key}"
    written = [
        *write_digest(digest, Format.html, stem.with_suffix(".html")),
        *write_digest(digest, Format.md, stem.with_suffix(".md")),
        *write_digest(digest, Format.json, stem.with_suffix(".json")),
    ]
    try:
        written.append(screenshot(stem.with_suffix(".html"), folder / "digest-in-chromium.png"))
    except BrowserMissing as error:
        console.print(f"  no screenshot: {escape(str(error))}", highlight=False)
    for path in written:
        console.print(f"  wrote {escape(str(path))}", highlight=False)
