"""Publication to alert: a local feed publishes a new article, ingest and notify run on their own
schedules (threads here, as `serve` would run them), and the time until the alert email reaches
a real SMTP server is measured. The target is at most the poll interval plus the notify interval."""

from __future__ import annotations

import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from ipaddress import ip_network
from pathlib import Path

from benchmarks.servers import serving
from flows.alerting import run_notify
from flows.pipeline import run_cycle
from flows.settings import Settings
from newswatch.demo_alerts import SmtpSink
from storage.db import make_engine, upgrade
from storage.feeds import add_feed

SUBSCRIPTIONS = """\
subscriptions:
  - name: latency
    max_per_hour: 1000
    channels:
      - email: [desk@example.org]
    match:
      actors: [RUS]
"""
# Each report comes from another state: the same sender again would join the first incident, and
# an incident that only gains a source alerts nobody twice.
STATES = ("North Korea", "Iran", "Belarus", "Syria", "Cuba", "Nicaragua", "Venezuela", "Eritrea")
_PAGE = (
    "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    "<p>{state} sent {n} more battalions of troops to Russia's Kursk region on {day}, "
    "officials in Seoul said.</p><p>The deployment, report {n}, follows weeks of warnings from "
    "intelligence services about new units training in the east of the country.</p>"
    "</article></body></html>"
)


class NewsSite:
    """A feed on 127.0.0.1 whose items appear when `publish` is called."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []  # (slug, pubDate)
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                body = site.feed() if self.path == "/feed.xml" else site.page(self.path)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.handler = Handler
        self.base = ""

    def publish(self) -> None:
        self.items.append((f"report-{len(self.items)}", format_datetime(datetime.now(UTC))))

    def feed(self) -> bytes:
        items = "".join(
            f"<item><title>Troops report {slug}</title><link>{self.base}/{slug}.html</link>"
            f"<guid>{self.base}/{slug}.html</guid><pubDate>{date}</pubDate></item>"
            for slug, date in self.items
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()

    def page(self, path: str) -> bytes:
        n = path.strip("/").removesuffix(".html").rsplit("-", 1)[-1]
        day = datetime.now(UTC).strftime("%A")
        state = STATES[int(n) % len(STATES)]
        return _PAGE.format(title=f"Troops report {n}", state=state, n=n, day=day).encode()

    @contextmanager
    def running(self) -> Iterator[NewsSite]:
        with serving(self.handler) as base:
            self.base = base
            yield self


@contextmanager
def every(seconds: float, job: Callable[[], object]) -> Iterator[None]:
    """Run `job` now and then every `seconds` in a thread, until the block ends."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            job()
            stop.wait(seconds)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run(poll_s: int = 10, notify_s: int = 5, reports: int = 3) -> dict[str, float]:
    """Seconds from publication to the alert in the inbox, for `reports` articles one after the
    other (at most one per state in `STATES`), with feeds polled every `poll_s` and deliveries
    every `notify_s`."""
    with tempfile.TemporaryDirectory() as folder, NewsSite().running() as site:
        database_url = f"sqlite:///{Path(folder) / 'latency.db'}"
        subscriptions = Path(folder) / "subscriptions.yaml"
        subscriptions.write_text(SUBSCRIPTIONS)
        upgrade(database_url)
        engine = make_engine(database_url)
        with engine.begin() as conn:
            add_feed(conn, f"{site.base}/feed.xml", now=datetime.now(UTC))
        engine.dispose()
        inbox = SmtpSink(Path(folder) / "mail").start()
        settings = Settings(
            database_url=database_url,
            allowed_private_networks=(ip_network("127.0.0.0/8"),),
            subscriptions_path=subscriptions,
            min_poll_interval_s=poll_s,
            max_poll_interval_s=poll_s,
            smtp_host="127.0.0.1",
            smtp_port=inbox.port,
            smtp_security="none",
        )
        latencies: list[float] = []
        rng = random.Random(7)
        try:
            with (
                every(1.0, lambda: run_cycle(settings)),
                every(notify_s, lambda: run_notify(settings, {})),
            ):
                for _ in range(reports):
                    time.sleep(rng.uniform(0, poll_s))  # publish at any point of the poll cycle
                    seen = len(inbox.messages)
                    published = time.monotonic()
                    site.publish()
                    while len(inbox.messages) == seen:
                        if time.monotonic() - published > 4 * (poll_s + notify_s) + 30:
                            raise TimeoutError("the alert of a new article never arrived")
                        time.sleep(0.1)
                    latencies.append(time.monotonic() - published)
        finally:
            inbox.stop()
    return {
        "poll_s": poll_s,
        "notify_s": notify_s,
        "median_s": statistics.median(latencies),
        "max_s": max(latencies),
        "target_s": poll_s + notify_s,
    }
