"""Overlapping runs: two ingest processes at once over 200 local feeds split them, store every
article once and open every incident once; two delivery processes send every alert once."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from alerts.process import process_events
from newswatch.demo_alerts import SmtpSink
from storage import feeds as feed_store
from storage.db import make_engine, upgrade
from storage.models import articles, deliveries, incidents
from tests.alerting_data import NOW, Ev, publish
from tests.support.pages import Story, article_page, rss_feed
from tests.support.webserver import LocalWebServer, Route

FEEDS = 200
WIRE_STORIES = 20  # each syndicated in ten feeds: the same page under one URL
BATCH = 120  # each run may take more than half of the feeds, so the two must share
STATES = (
    "Azerbaijan", "Armenia", "Georgia", "Kazakhstan", "Moldova",
    "Latvia", "Lithuania", "Estonia", "Poland", "Finland",
)  # fmt: skip
NEWSWATCH = str(Path(sys.executable).with_name("newswatch"))
SUBSCRIPTIONS = """\
subscriptions:
  - name: russia-desk
    max_per_hour: 1000
    channels:
      - email: [desk@example.org]
    match:
      actors: [RUS]
"""
FILLER = (
    "The foreign ministry said the envoy was handed a note of protest and asked to explain the "
    "detentions, which officials described as unacceptable and without legal grounds.",
    "Diplomats in the capital said relations had been strained for months, and that a planned "
    "round of talks on trade and transit was now unlikely to take place before the new year.",
)


VOCABULARY = [
    "harbour",
    "ferry",
    "winter",
    "budget",
    "council",
    "road",
    "bridge",
    "school",
    "market",
    "river",
    "tram",
    "museum",
    "library",
    "festival",
    "weather",
    "rail",
    "station",
    "tunnel",
    "clinic",
    "bakery",
    "garden",
    "stadium",
    "orchestra",
    "theatre",
    "airport",
    "factory",
    "bicycle",
    "canal",
    "lighthouse",
    "village",
    "forest",
    "mountain",
    "valley",
    "island",
    "coast",
    "meadow",
]


def _own(n: int) -> Story:
    """A protest by one of ten states, with its own wording around it: no two are near-copies,
    so each report is its own story and only the event ties them together."""
    state = STATES[n % len(STATES)]
    words = random.Random(n).choices(VOCABULARY, k=120)
    return Story(
        f"own-{n}",
        f"{state} protests to Moscow, report {n}",
        (
            f"{state} summoned the Russian ambassador on Monday, report number {n} said.",
            " ".join(words[:60]).capitalize() + ".",
            " ".join(words[60:]).capitalize() + ".",
        ),
    )


def _wire(n: int) -> Story:
    return Story(
        f"wire-{n}",
        f"Harbour cranes back in service, wire {n}",
        (f"Harbour cranes at berth {n} returned to service after repairs on Monday.", *FILLER),
    )


def serve_feeds(web: LocalWebServer) -> list[str]:
    for n in range(WIRE_STORIES):
        web.add(f"/wire/wire-{n}.html", Route(body=article_page(_wire(n))))
    urls = []
    for n in range(FEEDS):
        own = _own(n)
        web.add(f"/f{n}/{own.slug}.html", Route(body=article_page(own)))
        feed = rss_feed(web.url(f"/f{n}"), [own]).replace(
            b"</channel>", _wire_item(web, n % WIRE_STORIES) + b"</channel>"
        )
        urls.append(
            web.add(f"/f{n}/feed.xml", Route(body=feed, content_type="application/rss+xml"))
        )
    return urls


def _wire_item(web: LocalWebServer, n: int) -> bytes:
    link = web.url(f"/wire/wire-{n}.html")
    return (
        f"<item><title>{_wire(n).title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Tue, 24 Nov 2026 09:30:00 GMT</pubDate><description>{FILLER[0]}</description>"
        "</item>\n"
    ).encode()


@pytest.fixture
def overlap_env(
    database_url: str, web: LocalWebServer, inbox: SmtpSink, tmp_path: Path
) -> Iterator[dict[str, str]]:
    upgrade(database_url)
    engine = make_engine(database_url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for url in serve_feeds(web):
            feed_store.add_feed(conn, url, now=now)
    engine.dispose()
    subscriptions = tmp_path / "subscriptions.yaml"
    subscriptions.write_text(SUBSCRIPTIONS)
    yield {
        "NEWSWATCH_DATABASE_URL": database_url,
        "NEWSWATCH_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
        "NEWSWATCH_FEED_BATCH_SIZE": str(BATCH),
        "NEWSWATCH_SUBSCRIPTIONS_PATH": str(subscriptions),
        "NEWSWATCH_SMTP_HOST": "127.0.0.1",
        "NEWSWATCH_SMTP_PORT": str(inbox.port),
        "NEWSWATCH_SMTP_SECURITY": "none",
        "PATH": str(Path(sys.executable).parent),
    }


def run_twice_at_once(command: str, env: dict[str, str]) -> list[str]:
    """Start two `newswatch <command>` processes together; both must succeed."""
    processes = [
        subprocess.Popen([NEWSWATCH, command], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    return outputs


def test_two_ingest_runs_at_once_poll_store_open_and_deliver_everything_once(
    overlap_env: dict[str, str], web: LocalWebServer, inbox: SmtpSink
) -> None:
    ingest = run_twice_at_once("run", overlap_env)
    run_twice_at_once("notify", overlap_env)

    polled = Counter(r.path for r in web.requests if r.path.endswith("/feed.xml"))
    assert len(polled) == FEEDS and set(polled.values()) == {1}
    assert all("feeds polled" in output for output in ingest)
    engine = make_engine(overlap_env["NEWSWATCH_DATABASE_URL"])
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(articles)).scalar_one()
        opened = Counter(
            (row.event_type, row.actor_key)
            for row in conn.execute(select(incidents.c.event_type, incidents.c.actor_key))
        )
        statuses = Counter(conn.execute(select(deliveries.c.status)).scalars())
    engine.dispose()
    assert stored == FEEDS + WIRE_STORIES
    protests = {kind: n for kind, n in opened.items() if kind[0] == "diplomatic_protest"}
    assert len(protests) == len(STATES) and set(protests.values()) == {1}
    assert set(statuses) == {"sent"}
    ids = [message_from_bytes(m, policy=policy.default)["Message-ID"] for m in inbox.messages]
    assert len(ids) == statuses["sent"] == len(set(ids))


def test_two_transactions_reporting_the_same_thing_open_one_incident(
    postgres_url: str,
) -> None:
    upgrade(postgres_url)
    engine = make_engine(postgres_url)

    def report(outlet: str, started: threading.Event | None = None) -> None:
        with engine.begin() as conn:
            ids = publish(conn, outlet, f"{outlet}-troops", [Ev()])
            process_events(conn, ids, (), now=NOW)
            if started is not None:
                started.set()
                done.wait(timeout=30)  # hold the transaction open while the other one tries

    started, done = threading.Event(), threading.Event()
    first = threading.Thread(target=report, args=("northern", started))
    first.start()
    started.wait(timeout=30)
    second = threading.Thread(target=report, args=("meridian",))
    second.start()
    second.join(timeout=1)  # waits on the first transaction's lock instead of opening its own
    done.set()
    first.join(timeout=30)
    second.join(timeout=30)

    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(incidents)).scalar_one() == 1
    engine.dispose()
