"""`newswatch serve`: the flows on their schedules on one box, with a Prefect server of their own
when none is configured; SIGTERM or Ctrl-C stops the flows and that server, and exits 0."""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from flows.server import (
    ServerError,
    api_url,
    prefect_database_url,
    start_group,
    start_server,
    stop_group,
    wait_healthy,
)
from flows.settings import Settings
from newswatch.commands.output import console

SERVER_START_TIMEOUT_S = 180.0


def serve(
    port: Annotated[
        int, typer.Option(help="Port of the Prefect server started when PREFECT_API_URL is unset.")
    ] = 4200,
) -> None:
    """Run ingest, notify, the weekly digest and maintenance on their schedules until stopped."""
    settings = Settings()
    environ = dict(os.environ)
    stop = threading.Event()

    def on_signal(number: int, _frame: FrameType | None) -> None:
        console.print(f"{signal.Signals(number).name}: stopping", highlight=False)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server = None
    if not environ.get("PREFECT_API_URL"):
        database = prefect_database_url(settings.database_url)
        shown = make_url(database).render_as_string(hide_password=True)
        console.print(
            f"PREFECT_API_URL is not set: starting a Prefect server on 127.0.0.1:{port} "
            f"(its database: {shown})",
            highlight=False,
        )
        server = start_server(port, database, environ)
        try:
            took = wait_healthy(api_url(port), server, SERVER_START_TIMEOUT_S)
        except ServerError as error:
            stop_group(server)
            typer.echo(f"newswatch serve: {error}", err=True)
            raise typer.Exit(1) from error
        console.print(f"Prefect server healthy after {took:.1f} s", highlight=False)
        environ["PREFECT_API_URL"] = api_url(port)
    runner = start_group([sys.executable, "-m", "flows.serving"], environ)
    console.print(
        f"serving the flows (ingest every {settings.ingest_interval_s} s); stop with Ctrl-C",
        highlight=False,
    )
    while not stop.wait(0.5) and runner.poll() is None:
        pass
    stop_group(runner)
    if server is not None:
        stop_group(server)
    if not stop.is_set():
        typer.echo(
            f"newswatch serve: the flow runner exited with code {runner.returncode}", err=True
        )
        raise typer.Exit(1)
