"""`newswatch web` (the analysts' UI), `newswatch users add` and `newswatch feedback export`."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from flows.settings import Settings
from newswatch.commands.output import console
from storage.db import make_engine, require_current_schema
from storage.feedback import labelled_examples
from storage.users import ROLES, UserError, add_user

users_app = typer.Typer(help="Analysts who may sign in to the web UI.", no_args_is_help=True)
feedback_app = typer.Typer(help="What analysts said about incidents.", no_args_is_help=True)
SECRET_VARIABLE = "NEWSWATCH_WEB_SECRET"


def web(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    secure: Annotated[
        bool, typer.Option(help="Mark the session cookie Secure (when served over TLS).")
    ] = False,
) -> None:
    """Start the analysts' web UI: incidents, feedback, search, the watchlist playground, feeds."""
    # Imported here: the web stack is not needed by the other commands and slows their start.
    import uvicorn

    from web.app import WebConfig, create_app

    settings = Settings()
    engine = make_engine(settings.database_url)
    require_current_schema(engine)
    engine.dispose()
    secret = os.environ.get(SECRET_VARIABLE)
    if not secret:
        console.print(
            f"[yellow]{SECRET_VARIABLE} is not set: sessions end when this process stops[/yellow]"
        )
    config = WebConfig(
        database_url=settings.database_url,
        secret=secret or WebConfig.random_secret(),
        secure=secure,
        watchlist_path=settings.watchlist_path,
    )
    console.print(f"newswatch web UI on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="The name to sign in with.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "read",
    password_env: Annotated[
        str | None,
        typer.Option(help="Read the password from this environment variable instead of asking."),
    ] = None,
) -> None:
    """Add an analyst (or give an existing one a new password and role)."""
    if password_env:
        password = os.environ.get(password_env, "")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = make_engine(Settings().database_url)
    try:
        with engine.begin() as conn:
            user = add_user(conn, username, password, role, now=datetime.now(UTC))
    except UserError as error:
        raise typer.BadParameter(str(error)) from error
    finally:
        engine.dispose()
    console.print(f"{user.username} may sign in ({user.role})")


@feedback_app.command("export")
def feedback_export(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
) -> None:
    """Write the analysts' corrections as labelled JSONL, the format `newswatch eval` reads."""
    engine = make_engine(Settings().database_url)
    with engine.connect() as conn:
        examples, skipped = labelled_examples(conn)
    engine.dispose()
    lines = "".join(json.dumps(example, ensure_ascii=False) + "\n" for example in examples)
    if output is None:
        print(lines, end="")
    else:
        output.write_text(lines, encoding="utf-8")
    note = f", {skipped} verdicts left out (they say what was wrong, not what is right)"
    typer.echo(f"{len(examples)} labelled sentences{note if skipped else ''}", err=True)
