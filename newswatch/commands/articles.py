"""`newswatch articles`: list and show stored articles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from flows.settings import Settings
from newswatch.commands.output import console, event_kind, print_json, print_table, when
from storage import articles as article_store
from storage import events as event_store
from storage.db import make_engine

app = typer.Typer(help="List and read stored articles.", no_args_is_help=True)


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"not a date: {value!r} (use YYYY-MM-DD)") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command("list")
def list_articles(
    since: Annotated[
        str | None, typer.Option(help="Only articles fetched since (YYYY-MM-DD or ISO time).")
    ] = None,
    feed: Annotated[int | None, typer.Option(help="Only articles of this feed id.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
    as_json: Annotated[
        bool, typer.Option("--json", help="Machine-readable, with the text.")
    ] = False,
) -> None:
    """Stored articles, the most recently fetched first."""
    engine = make_engine(Settings().database_url)
    after = _parse_since(since)
    with engine.connect() as conn:
        articles = article_store.list_articles(conn, since=after, feed_id=feed, limit=limit)
        total = article_store.count_articles(conn, since=after, feed_id=feed)
    engine.dispose()
    if as_json:
        print_json(articles)
        return
    print_table(
        "Articles",
        ["id", "published", "feed", "story", "lang", "title", "extracted"],
        (
            [
                a.id,
                when(a.published_at),
                a.feed_id,
                a.story_id,
                a.language,
                a.title,
                "yes" if a.extracted else "summary only",
            ]
            for a in articles
        ),
    )
    if total > len(articles):
        console.print(
            f"{len(articles)} of {total} articles shown, the newest; {total - len(articles)} more: "
            "see them with --limit, or narrow with --since and --feed",
            highlight=False,
            soft_wrap=True,
        )


@app.command("show")
def show(
    article_id: Annotated[int, typer.Argument(help="The article's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """One article: its metadata, its text and the events found in it."""
    engine = make_engine(Settings().database_url)
    with engine.connect() as conn:
        article = article_store.get_article(conn, article_id)
        events = event_store.events_for_articles(conn, [article_id])
    engine.dispose()
    if article is None:
        console.print(f"[red]no article with id {article_id}[/red]")
        raise typer.Exit(1)
    if as_json:
        print_json({"article": article, "events": events})
        return
    console.print(article.title, style="bold", markup=False, highlight=False)
    console.print(
        f"{article.url}\npublished {when(article.published_at)} · fetched {when(article.fetched_at)}"
        f" · language {article.language or '-'} · story {article.story_id}"
        + ("" if article.extracted else f" · {article.extraction_error}"),
        highlight=False,
    )
    console.print()
    console.print(article.text, markup=False, highlight=False)
    for event in events:
        actors = ", ".join(f"{a.actor_id} ({a.role})" for a in event.actors)
        recalled = " (background: not alerted)" if event.background else ""
        console.print(
            f"\n[bold]{event_kind(event.event_type, event.mark)}[/bold] {event.modality} "
            f"{event.confidence:.2f}: {actors}{recalled}"
        )
