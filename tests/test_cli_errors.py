"""A newcomer's mistakes get one line each and exit code 2, never a traceback: a subscriptions file
with an unknown channel kind, a database that does not answer, a database URL newswatch does not
speak, and a database without the schema. The command runs as a user runs it, in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.db import upgrade

BAD_CHANNEL = """\
subscriptions:
  - name: desk
    channels:
      - emial: [desk@example.org]
    match:
      actors: [RUS]
"""


def newswatch(*args: str, cwd: Path, **env: str) -> tuple[int, list[str]]:
    """Exit code and printed lines of `newswatch ARGS` with the given NEWSWATCH_* settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    clean.update({f"NEWSWATCH_{name.upper()}": value for name, value in env.items()})
    done = subprocess.run(
        [sys.executable, "-m", "newswatch", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = done.stdout + done.stderr
    assert "Traceback" not in said, said
    return done.returncode, [line for line in said.splitlines() if line.strip()]


@pytest.mark.parametrize("command", [["subscriptions", "check"], ["run"]], ids=" ".join)
def test_an_unknown_channel_kind_is_named_with_its_line_and_the_kinds_allowed(
    command: list[str], tmp_path: Path, sqlite_url: str
) -> None:
    subscriptions = tmp_path / "subs.yaml"
    subscriptions.write_text(BAD_CHANNEL, encoding="utf-8")
    upgrade(sqlite_url)

    code, lines = newswatch(
        *command, cwd=tmp_path, database_url=sqlite_url, subscriptions_path=str(subscriptions)
    )

    assert code == 2
    (line,) = lines
    assert line.endswith(
        f"{subscriptions}:4: unknown channel kind 'emial': "
        "use one of email, slack_webhook, slack_bot, webhook"
    )


COMMANDS = [
    ["feeds", "list"],
    ["feeds", "add", "https://desk.example/feed.xml"],
    ["run"],
    ["notify"],
    ["status"],
    ["articles", "list"],
    ["articles", "show", "1"],
    ["alerts", "list"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_an_unreachable_database_is_named_with_its_password_hidden(
    command: list[str], tmp_path: Path
) -> None:
    url = "postgresql+psycopg://watcher:s3cret@127.0.0.1:1/newswatch"

    code, lines = newswatch(*command, cwd=tmp_path, database_url=url)

    assert code == 2
    (line,) = lines
    assert line.startswith("newswatch: cannot reach the database postgresql+psycopg://watcher:***@")
    assert "s3cret" not in line and "NEWSWATCH_DATABASE_URL" in line


@pytest.mark.parametrize("command", [["feeds", "list"], ["run"], ["db", "upgrade"]], ids=" ".join)
def test_a_database_newswatch_does_not_speak_is_refused_in_one_line(
    command: list[str], tmp_path: Path
) -> None:
    code, lines = newswatch(*command, cwd=tmp_path, database_url="mysql://root:pw@localhost/news")

    assert code == 2
    assert lines == [
        "newswatch: unsupported database URL mysql://root:***@localhost/news: use sqlite:///PATH "
        "or postgresql+psycopg://USER@HOST:PORT/DATABASE (NEWSWATCH_DATABASE_URL)"
    ]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_database_without_the_schema_says_to_upgrade_it(
    command: list[str], tmp_path: Path, database_url: str
) -> None:
    code, lines = newswatch(*command, cwd=tmp_path, database_url=database_url)

    assert code == 2
    (line,) = lines
    assert line.startswith("newswatch: the database ")
    assert line.endswith("has no newswatch tables: run `newswatch db upgrade`")
