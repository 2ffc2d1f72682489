"""Operations against a real Prefect server: `newswatch serve` runs a scheduled ingest and stops
cleanly on SIGTERM; `deploy/prefect.yaml` deploys to a server and a worker completes an ingest run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from extractors.opml import parse_opml
from flows.server import api_url, start_server, stop_group, wait_healthy
from newswatch.commands.feeds import add_feeds
from newswatch.demo_alerts import free_port
from newswatch.demo_server import DemoServer
from storage.db import make_engine, upgrade
from storage.feeds import add_feed
from storage.models import articles, runs
from tests.support.pages import CSTO_FREEZE
from tests.support.webserver import LocalWebServer
from tests.test_ingest import serve_stories

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WAIT_S = 240.0


def clean_environment(tmp_path: Path, database_url: str) -> dict[str, str]:
    """This process's environment without any Prefect setting, with a Prefect home of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSWATCH_"))}
    return {
        **env,
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "NEWSWATCH_DATABASE_URL": database_url,
        "NEWSWATCH_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
    }


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def successful_ingests(database_url: str) -> int:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        query = select(runs.c.id).where(runs.c.flow == "ingest", runs.c.succeeded.is_(True))
        found = len(conn.execute(query).all())
    engine.dispose()
    return found


@pytest.fixture
def served_feed(web: LocalWebServer, sqlite_url: str) -> Iterator[str]:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        add_feed(conn, serve_stories(web, "/gazette", [CSTO_FREEZE]), now=datetime.now(UTC))
    engine.dispose()
    yield sqlite_url


def test_serve_runs_a_scheduled_ingest_and_stops_cleanly_on_sigterm(
    served_feed: str, tmp_path: Path
) -> None:
    env = {**clean_environment(tmp_path, served_feed), "NEWSWATCH_INGEST_INTERVAL_S": "10"}
    serving = subprocess.Popen(
        [str(BIN / "newswatch"), "serve", "--port", str(free_port())],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + WAIT_S
    while successful_ingests(served_feed) == 0 and time.monotonic() < deadline:
        assert serving.poll() is None, serving.communicate()[0]
        time.sleep(1)
    started = descendants(serving.pid)

    serving.send_signal(signal.SIGTERM)
    output = serving.communicate(timeout=60)[0]

    assert successful_ingests(served_feed) >= 1, output
    assert serving.returncode == 0, output
    assert "PREFECT_API_URL is not set: starting a Prefect server" in output
    assert (tmp_path / "prefect.db").exists()  # the server's database, beside newswatch's
    assert started and not [pid for pid in started if alive(pid)]
    engine = make_engine(served_feed)
    with engine.connect() as conn:
        assert conn.execute(select(articles.c.title)).scalars().all() == [CSTO_FREEZE.title]
    engine.dispose()


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `prefect server start` on a free port with its own SQLite database, for the session."""
    folder = tmp_path_factory.mktemp("prefect-server")
    env = clean_environment(folder, "sqlite://")
    port = free_port()
    server = start_server(port, f"sqlite+aiosqlite:///{folder / 'prefect.db'}", env)
    try:
        wait_healthy(api_url(port), server, WAIT_S)
        yield api_url(port)
    finally:
        stop_group(server)


def prefect(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "prefect"), "--no-prompt", *args],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=WAIT_S,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_deployments_file_deploys_and_a_worker_completes_an_ingest_run(
    prefect_server: str, sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    env = {
        **clean_environment(tmp_path, sqlite_url),
        "PREFECT_API_URL": prefect_server,
        "NEWSWATCH_HOME": str(REPO),
    }
    with DemoServer() as corpus:
        add_feeds(sqlite_url, parse_opml(corpus.opml().encode()))
        prefect(env, "work-pool", "create", "newswatch", "--type", "process")
        deployed = prefect(env, "deploy", "--all", "--prefect-file", "deploy/prefect.yaml")
        started = prefect(env, "deployment", "run", "ingest/ingest-every-10-minutes")
        flow_run = re.search(r"UUID: ([0-9a-f-]{36})", started)
        assert flow_run is not None, started
        prefect(env, "worker", "start", "--pool", "newswatch", "--run-once")
        inspected = prefect(env, "flow-run", "inspect", flow_run[1])

    for name in (
        "ingest-every-10-minutes",
        "notify-every-minute",
        "digest-weekly",
        "maintenance-daily",
    ):
        assert name in deployed
    assert "COMPLETED" in inspected.upper()
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert len(conn.execute(select(articles.c.id)).all()) >= 20
    engine.dispose()
