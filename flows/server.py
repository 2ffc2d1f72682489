"""A Prefect server of newswatch's own for one box: `prefect server start` on 127.0.0.1 with its
database beside newswatch's (a `prefect` database in the same PostgreSQL, or a SQLite file in the
same folder), started, waited for, and stopped with everything it started."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from ipaddress import ip_network
from pathlib import Path

import psycopg

from extractors.errors import FetchError
from extractors.http import Fetcher, HttpPolicy
from storage.db import normalize_url

PREFECT_DATABASE = "prefect"
STOP_GRACE_S = 20.0
# The server this module starts listens on 127.0.0.1; a probe must not wait long for it.
_LOOPBACK = HttpPolicy(
    allowed_networks=(ip_network("127.0.0.0/8"),), connect_timeout=2.0, read_timeout=2.0
)


class ServerError(RuntimeError):
    """The Prefect server did not start or answer."""


def prefect_database_url(database_url: str) -> str:
    """Where the Prefect server keeps its state, beside newswatch's database; a PostgreSQL
    `prefect` database is created when missing."""
    url = normalize_url(database_url)
    if url.get_backend_name() == "postgresql":
        _create_database(url.set(drivername="postgresql").render_as_string(hide_password=False))
        return url.set(drivername="postgresql+asyncpg", database=PREFECT_DATABASE).render_as_string(
            hide_password=False
        )
    folder = Path(url.database or "newswatch.db").resolve().parent
    return f"sqlite+aiosqlite:///{folder / 'prefect.db'}"


def _create_database(libpq_url: str) -> None:
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (PREFECT_DATABASE,)
        ).fetchone()
        if exists is None:
            conn.execute(f'CREATE DATABASE "{PREFECT_DATABASE}"')


def start_group(command: list[str], environ: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """Start `command` as the leader of a new process group, so that stopping it stops every
    process it started."""
    return subprocess.Popen(command, env=dict(environ), start_new_session=True)


def stop_group(process: subprocess.Popen[bytes], grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM to the whole group, SIGKILL to what is left after `grace_s`."""
    if process.poll() is not None and not _group_alive(process.pid):
        return
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            process.poll()
            if not _group_alive(process.pid):
                return
            time.sleep(0.1)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def start_server(
    port: int, database_url: str, environ: Mapping[str, str]
) -> subprocess.Popen[bytes]:
    """`prefect server start` on 127.0.0.1:`port` over `database_url`, analytics off."""
    env = {
        **environ,
        "PREFECT_API_DATABASE_CONNECTION_URL": database_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    command = [
        str(Path(sys.executable).with_name("prefect")),
        "server", "start", "--host", "127.0.0.1", "--port", str(port), "--analytics-off",
    ]  # fmt: skip
    return start_group(command, env)


def wait_healthy(api_url: str, process: subprocess.Popen[bytes], timeout_s: float) -> float:
    """Wait until `api_url/health` answers; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if process.poll() is not None:
            raise ServerError(f"the Prefect server exited with code {process.returncode}")
        if asyncio.run(_answers(f"{api_url}/health")):
            return time.monotonic() - started
        time.sleep(0.5)
    raise ServerError(f"the Prefect server did not answer at {api_url} within {timeout_s:.0f} s")


async def _answers(url: str) -> bool:
    async with Fetcher(_LOOPBACK) as fetcher:
        try:
            await fetcher.fetch(url)
        except FetchError:
            return False
    return True


def api_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/api"
