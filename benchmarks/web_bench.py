"""The analysts' web UI over about 10,000 incidents (the digest benchmark's week): how long the
incident list takes to answer, unfiltered and with each kind of filter, an incident's page and a
search, through the real application (FastAPI's test client, signed in)."""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from benchmarks.digest_bench import fill
from storage.db import make_engine, upgrade
from storage.users import add_user
from web.app import WebConfig, create_app

BEST_OF = 5
PASSWORD = "benchmark password"
PAGES = {
    "incident list": "/incidents",
    "list, one actor": "/incidents?actor=RUS",
    "list, one type and modality": "/incidents?type=military_strike&modality=asserted",
    "list, unreviewed, page 20": "/incidents?review=unreviewed&page=20",
    "search (articles)": "/search?q=troops",
}


def _best_ms(client: TestClient, path: str) -> float:
    times = []
    for _ in range(BEST_OF):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return 1000 * min(times)


def _signed_in(client: TestClient) -> None:
    page = client.get("/signin").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    form = {"username": "bench", "password": PASSWORD, "csrf": token.group(1)}
    assert client.post("/signin", data=form).status_code == 303


def run(database_url: str, n: int = 10_000) -> dict[str, float]:
    """Fill `database_url` (fresh) with about `n` incidents; milliseconds per page, best of 5."""
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.begin() as conn:
        fill(conn, n, random.Random(11))
        add_user(conn, "bench", PASSWORD, "read", now=datetime.now(UTC))
    engine.dispose()
    config = WebConfig(database_url=database_url, secret="bench-" + "s" * 40)
    with TestClient(create_app(config), follow_redirects=False) as client:
        _signed_in(client)
        timings = {name: _best_ms(client, path) for name, path in PAGES.items()}
        first = re.search(r'href="/incidents/(\d+)"', client.get("/incidents").text)
        assert first is not None
        timings["incident page"] = _best_ms(client, f"/incidents/{first.group(1)}")
    return timings
