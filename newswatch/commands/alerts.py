"""`newswatch alerts list/show`, `newswatch notify` and `newswatch subscriptions check`: incidents
with their evidence and deliveries, one delivery pass, and validating the subscriptions file."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from alerts.message import alert_actors
from alerts.render import actors_line
from alerts.subscriptions import Subscription, check_subscriptions
from extractors.events import load_watchlist
from extractors.events.model import EVENT_TYPES
from flows.alerting import run_notify
from flows.settings import Settings
from newswatch.commands.output import console, event_kind, print_json, print_table, when
from storage import incidents as incident_store
from storage import outbox as outbox_store
from storage.db import make_engine

alerts_app = typer.Typer(help="Incidents that alert analysts: evidence, sources, deliveries.")
subscriptions_app = typer.Typer(help="Who receives which alerts, where and how often.")
_RELATIVE = re.compile(r"(\d+)([hd])")


def register(app: typer.Typer) -> None:
    """Add `alerts list/show`, `notify` and `subscriptions check` to the `newswatch` command."""
    app.add_typer(alerts_app, name="alerts", no_args_is_help=True)
    app.add_typer(subscriptions_app, name="subscriptions", no_args_is_help=True)
    app.command("notify")(notify)


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    relative = _RELATIVE.fullmatch(value)
    if relative:
        unit = "hours" if relative[2] == "h" else "days"
        return datetime.now(UTC) - timedelta(**{unit: int(relative[1])})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"not a date: {value!r} (YYYY-MM-DD, or 24h, 7d)") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _counts(counts: Mapping[str, int] | None) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted((counts or {}).items())) or "-"


@alerts_app.command("list")
def list_alerts(
    actor: Annotated[
        str | None, typer.Option(help="Only incidents involving this actor id.")
    ] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="Only this event type.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only incidents seen since (YYYY-MM-DD, or 24h, 7d).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, last seen first.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Incidents, the most recently seen first, with how their alerts went."""
    if event_type is not None and event_type not in EVENT_TYPES:
        raise typer.BadParameter(f"unknown event type {event_type!r}", param_hint="--type")
    engine = make_engine(Settings().database_url)
    with engine.connect() as conn:
        found = incident_store.list_incidents(
            conn, since=_since(since), event_type=event_type, actor_id=actor, limit=limit
        )
        counts = outbox_store.status_counts(conn, [i.id for i in found if i.id is not None])
    engine.dispose()
    if as_json:
        print_json([{**_incident_json(i), "deliveries": counts.get(i.id or 0, {})} for i in found])
        return
    print_table(
        "Alerts",
        ["id", "last seen", "type", "modality", "conf", "actors", "sources", "deliveries"],
        (
            [
                i.id,
                when(i.last_seen),
                event_kind(i.event_type, i.mark),
                i.modality,
                f"{i.confidence:.2f}",
                actors_line(alert_actors(i), short=True),
                i.source_count,
                _counts(counts.get(i.id or 0)),
            ]
            for i in found
        ),
    )


def _incident_json(incident: incident_store.Incident) -> dict[str, object]:
    data = dict(incident.__dict__)
    data["article_ids"] = sorted(incident.article_ids)
    data["story_ids"] = sorted(incident.story_ids)
    data["source_count"] = incident.source_count
    return data


@alerts_app.command("show")
def show(
    incident_id: Annotated[int, typer.Argument(help="The incident's id (from `alerts list`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """One incident: its evidence, every source that reported it, and its deliveries."""
    engine = make_engine(Settings().database_url)
    with engine.connect() as conn:
        incident = incident_store.get_incident(conn, incident_id)
        sources = incident_store.incident_sources(conn, [incident_id]).get(incident_id, [])
        deliveries = outbox_store.list_deliveries(conn, incident_id=incident_id)
    engine.dispose()
    if incident is None:
        console.print(f"[red]no incident with id {incident_id}[/red]")
        raise typer.Exit(1)
    if as_json:
        print_json(
            {"incident": _incident_json(incident), "sources": sources, "deliveries": deliveries}
        )
        return
    actors = ", ".join(f"{a.id} ({a.role}{', ' + a.via if a.via else ''})" for a in incident.actors)
    console.print(
        f"[bold]{event_kind(incident.event_type, incident.mark)}[/bold] {incident.modality} "
        f"{incident.confidence:.2f}: "
        f"{escape(actors)}\nfirst seen {when(incident.first_seen)} · last seen "
        f"{when(incident.last_seen)} · {incident.source_count} sources · "
        f"version {incident.version}",
        highlight=False,
    )
    console.print(f"\n{escape(incident.evidence)}\n", highlight=False)
    print_table(
        "Sources",
        ["published", "outlet", "modality", "title", "url", "evidence"],
        ([when(s.published_at), s.outlet, s.modality, s.title, s.url, s.evidence] for s in sources),
    )
    print_table(
        "Deliveries",
        ["id", "subscription", "channel", "status", "attempts", "due", "sent", "last error"],
        (
            [
                d.id,
                d.subscription,
                d.target_key,
                d.status,
                d.attempts,
                when(d.due_at),
                when(d.sent_at),
                d.last_error,
            ]
            for d in deliveries
        ),
    )


def notify(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """One delivery pass: send the alerts that are due, retry or give up the failed ones."""
    summary = run_notify(Settings(), os.environ)
    if as_json:
        print_json(summary)
        return
    console.print(
        f"{summary.claimed} due, {summary.sent} sent, {summary.retrying} to retry, "
        f"{summary.dead} given up",
        highlight=False,
    )
    for delivery_id, error in summary.errors:
        console.print(f"  delivery {delivery_id}: {escape(error)}", highlight=False)


def _warnings(subscriptions: tuple[Subscription, ...], settings: Settings) -> list[str]:
    """What would stop deliveries although the file is valid: unset variables, no SMTP server."""
    found = []
    for subscription in subscriptions:
        for channel in subscription.channels:
            missing = [name for name in channel.env_names() if not os.environ.get(name)]
            found += [f"{subscription.name}: environment variable {n} is not set" for n in missing]
            if channel.kind == "email" and settings.smtp_host is None:
                found.append(f"{subscription.name}: email needs NEWSWATCH_SMTP_HOST")
    return list(dict.fromkeys(found))


@subscriptions_app.command("check")
def check(
    path: Annotated[
        Path | None,
        typer.Argument(help="The subscriptions file (default: NEWSWATCH_SUBSCRIPTIONS_PATH)."),
    ] = None,
) -> None:
    """Validate a subscriptions file against the watchlist; every problem is FILE:LINE: reason."""
    settings = Settings()
    path = path or settings.subscriptions_path
    if path is None:
        console.print(
            "[red]no subscriptions file: pass one or set NEWSWATCH_SUBSCRIPTIONS_PATH[/red]"
        )
        raise typer.Exit(2)
    watchlist = load_watchlist([settings.watchlist_path] if settings.watchlist_path else None)
    subscriptions, problems = check_subscriptions(path, known_actors=watchlist.actors)
    for problem in problems:
        console.print(escape(str(problem)), style="red", highlight=False, soft_wrap=True)
    for warning in _warnings(subscriptions, settings):
        console.print(f"warning: {escape(warning)}", style="yellow", highlight=False)
    for s in subscriptions:
        channels = ", ".join(c.key for c in s.channels)
        console.print(f"{s.name}: {s.delivery}, {escape(channels)}", highlight=False)
    if problems:
        raise typer.Exit(2)
    console.print(f"{path}: {len(subscriptions)} subscriptions, no problems", highlight=False)
