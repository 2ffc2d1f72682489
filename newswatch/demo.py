"""`newswatch demo`: the whole pipeline on the bundled corpus, served from 127.0.0.1, into a fresh SQLite file."""

from __future__ import annotations

import secrets
import shutil
from collections import defaultdict
from datetime import UTC, datetime
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from extractors.opml import parse_opml
from flows.pipeline import run_cycle
from flows.settings import Settings
from newswatch.commands.feeds import add_feeds
from newswatch.commands.ingest import print_summary, stage_progress
from newswatch.commands.output import console, print_table, when
from newswatch.demo_alerts import demo_channels, run_demo_alerts
from newswatch.demo_digest import run_demo_digest
from newswatch.demo_server import DemoServer
from storage import articles as article_store
from storage import events as event_store
from storage.db import make_engine, upgrade
from storage.users import add_user

DEFAULT_OUTPUT = Path("demo-output")
DEMO_ANALYST = "analyst"


def demo(
    output: Annotated[
        Path, typer.Option(help="Folder for the demo database (recreated on every run).")
    ] = DEFAULT_OUTPUT,
) -> None:
    """Run the whole pipeline on the bundled corpus, served and alerted locally, twice."""
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    database_url = f"sqlite:///{output.resolve() / 'newswatch-demo.db'}"
    with DemoServer() as server, demo_channels(output / "emails") as channels:
        settings = channels.settings(
            Settings(
                database_url=database_url,
                allowed_private_networks=(ip_network("127.0.0.0/8"),),
            )
        )
        console.print(f"demo corpus served at {server.base_url}", highlight=False)
        upgrade(database_url)
        add_feeds(database_url, parse_opml(server.opml().encode()))
        with stage_progress() as on_stage:
            first = run_cycle(settings, include_all=True, on_stage=on_stage)
        print_summary(first, title="First cycle")
        _show_results(settings)
        run_demo_alerts(settings, channels)
        run_demo_digest(settings, output / "digest")
        run_demo_alerts(settings, channels)
        second = run_cycle(settings, include_all=True)
        print_summary(second, title="Second cycle over the same feeds")
        run_demo_alerts(settings, channels)
        run_demo_digest(settings, output / "digest")
        run_demo_alerts(settings, channels)
    password = _demo_analyst(database_url)
    console.print(
        f"\nThe database stays in {output}/: try\n"
        f"  NEWSWATCH_DATABASE_URL={database_url} newswatch articles list   (or: status, metrics)\n"
        f"\nThe analysts' web UI on the demo database:\n"
        f"  NEWSWATCH_DATABASE_URL={database_url} newswatch web\n"
        f"then open http://127.0.0.1:8080/ and sign in as {DEMO_ANALYST} with {password}",
        highlight=False,
        soft_wrap=True,
    )


def _demo_analyst(database_url: str) -> str:
    """An analyst who may sign in to the demo's UI, with a password made for this run."""
    password = secrets.token_urlsafe(12)
    engine = make_engine(database_url)
    with engine.begin() as conn:
        add_user(conn, DEMO_ANALYST, password, "write", now=datetime.now(UTC))
    engine.dispose()
    return password


def _show_results(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        articles = article_store.list_articles(conn, since=None, feed_id=None, limit=500)
        events = event_store.events_for_articles(conn, [a.id for a in articles])
    engine.dispose()
    print_table(
        "Stored articles",
        ["id", "published", "story", "title", "extracted"],
        (
            [a.id, when(a.published_at), a.story_id, a.title, "yes" if a.extracted else "summary"]
            for a in articles
        ),
    )
    by_type: dict[str, list[event_store.EventRecord]] = defaultdict(list)
    for event in events:
        by_type[event.event_type].append(event)
    console.print(f"\n[bold]Events found[/bold]: {len(events)}")
    for event_type in sorted(by_type):
        console.print(f"\n[bold]{event_type}[/bold] ({len(by_type[event_type])})")
        for event in by_type[event_type]:
            actors = ", ".join(f"{a.actor_id}:{a.role}" for a in event.actors)
            console.print(
                f"  {event.modality:<8} {event.confidence:.2f}  {escape(actors)}\n"
                f"           {escape(event.evidence)}",
                highlight=False,
            )
