"""`newswatch feeds`: add, import and export (OPML), list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from extractors.errors import ExtractorError
from extractors.opml import OpmlFeed, is_feed_url, parse_opml, render_opml
from flows.settings import Settings
from newswatch.commands.output import console, print_json, print_table, when
from storage import feeds as feed_store
from storage.db import make_engine

app = typer.Typer(
    help="Add, import, export and list the feeds newswatch polls.", no_args_is_help=True
)


def _check_url(url: str) -> str:
    if not is_feed_url(url.strip()):
        raise typer.BadParameter(f"not an http(s) URL: {url!r}")
    return url.strip()


def add_feeds(database_url: str, feeds: Sequence[OpmlFeed]) -> tuple[int, int]:
    """Add `feeds` (idempotently); how many were added and how many were already known."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        pairs = ((feed.url, feed.title) for feed in feeds)
        added = feed_store.add_feeds(conn, pairs, now=datetime.now(UTC))
    engine.dispose()
    return added, len(feeds) - added


@app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="The feed's URL (RSS or Atom).")],
    title: Annotated[str | None, typer.Option(help="A title until the feed gives its own.")] = None,
) -> None:
    """Add one feed; it is polled on the next run."""
    added, _ = add_feeds(Settings().database_url, [OpmlFeed(_check_url(url), title)])
    console.print(f"added {url}" if added else f"already known: {url}")


@app.command("import")
def import_opml(path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Add every feed listed in an OPML file (folders are flattened)."""
    try:
        feeds = parse_opml(path.read_bytes())
    except ExtractorError as error:
        console.print(f"[red]{path}: {error}[/red]")
        raise typer.Exit(1) from error
    valid = [f for f in feeds if is_feed_url(f.url)]
    added, known = add_feeds(Settings().database_url, valid)
    skipped = len(feeds) - len(valid)
    console.print(f"{added} feeds added, {known} already known, {skipped} skipped (not http/https)")


@app.command("export")
def export_opml(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
) -> None:
    """Write every feed as OPML (to stdout unless --output is given)."""
    engine = make_engine(Settings().database_url)
    with engine.connect() as conn:
        feeds = feed_store.list_feeds(conn)
    engine.dispose()
    text = render_opml([OpmlFeed(f.url, f.title) for f in feeds])
    if output is None:
        print(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"{len(feeds)} feeds written to {output}")


@app.command("list")
def list_feeds(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every feed with its polling state: last status, next poll, failures and the last error."""
    engine = make_engine(Settings().database_url)
    with engine.connect() as conn:
        feeds = feed_store.list_feeds(conn)
    engine.dispose()
    if as_json:
        print_json(feeds)
        return
    print_table(
        "Feeds",
        ["id", "title", "url", "status", "next poll", "interval", "failures", "last error"],
        (
            [
                f.id,
                f.title,
                f.url,
                f.last_status,
                when(f.next_poll_at),
                f"{f.poll_interval_s // 60} min",
                f.consecutive_failures,
                f.last_error,
            ]
            for f in feeds
        ),
    )
