"""The `newswatch` command: a thin shell over the same functions the flows call."""

from __future__ import annotations

import typer

from flows.logs import configure_logging
from flows.settings import Settings
from newswatch.commands import alerts, articles, events, feeds, ingest
from newswatch.commands.digest import digest
from newswatch.commands.metrics import metrics
from newswatch.commands.serve import serve
from newswatch.commands.status import status
from newswatch.commands.web import feedback_app, users_app, web
from newswatch.demo import demo
from newswatch.errors import run_reporting_errors

app = typer.Typer(
    help="newswatch: watch news feeds for the moves of states and armed groups.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main() -> None:
    """newswatch: watch news feeds for the moves of states and armed groups."""
    configure_logging(Settings().log_format)


app.add_typer(feeds.app, name="feeds")
app.add_typer(articles.app, name="articles")
app.add_typer(ingest.db_app, name="db")
app.command("run")(ingest.run)
app.command("demo")(demo)
app.command("digest")(digest)
app.command("status")(status)
app.command("serve")(serve)
app.command("metrics")(metrics)
app.command("web")(web)
app.add_typer(users_app, name="users")
app.add_typer(feedback_app, name="feedback")
events.register(app)
alerts.register(app)


def entry() -> None:
    """The `newswatch` console script: the app, with a user's mistakes told in one line each."""
    run_reporting_errors(app)
