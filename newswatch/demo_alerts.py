"""The demo's alert channels on 127.0.0.1: an SMTP sink that keeps each email as an .eml file, and a
receiver standing in for a Slack incoming webhook. `run_demo_alerts` delivers and shows it."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from rich.markup import escape

from alerts.notify import NotifySummary
from flows.alerting import run_notify
from flows.settings import Settings
from newswatch.commands.output import console

DEMO_SUBSCRIPTIONS = Path(__file__).with_name("demo_corpus") / "subscriptions.yaml"
SLACK_URL_ENV = "NEWSWATCH_DEMO_SLACK_WEBHOOK"  # the name the demo subscriptions file gives


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (aiosmtpd needs the port before it binds)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpSink:
    """A real SMTP server that accepts every message and writes it to `folder` as NNN.eml."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.messages: list[bytes] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = bytes(envelope.content)
        with self._lock:
            self.messages.append(content)
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{len(self.messages):03d}.eml").write_bytes(content)
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


@dataclass(frozen=True)
class ReceivedPost:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """An HTTP server that records every POST and answers `status` (200: accepted)."""

    posts: list[ReceivedPost] = field(default_factory=list)
    status: int = 200

    def __post_init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received = ReceivedPost(self.path, dict(self.headers.items()), body)
            status = receiver.status
            if status < 300:
                receiver.posts.append(received)
            answer = b"ok" if status < 300 else b"unavailable"
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    return Handler


@dataclass
class DemoChannels:
    """The running sinks, and what settings and environment make newswatch deliver to them."""

    smtp: SmtpSink
    slack: WebhookReceiver
    shown_emails: int = 0
    shown_posts: int = 0

    def settings(self, base: Settings) -> Settings:
        return base.model_copy(
            update={
                "subscriptions_path": DEMO_SUBSCRIPTIONS,
                "smtp_host": "127.0.0.1",
                "smtp_port": self.smtp.port,
                "smtp_security": "none",
            }
        )

    @property
    def environ(self) -> dict[str, str]:
        return {SLACK_URL_ENV: self.slack.url("/services/demo-desk")}


@contextmanager
def demo_channels(email_folder: Path) -> Iterator[DemoChannels]:
    """Start the SMTP sink (emails kept in `email_folder`) and the Slack-webhook receiver."""
    smtp = SmtpSink(email_folder).start()
    slack = WebhookReceiver().start()
    try:
        yield DemoChannels(smtp, slack)
    finally:
        slack.stop()
        smtp.stop()


def run_demo_alerts(settings: Settings, channels: DemoChannels) -> NotifySummary:
    """One delivery pass to the demo channels (`settings` from `channels.settings`), then print
    what each channel received since the last call."""
    summary = run_notify(settings, channels.environ)
    console.print(
        f"\n[bold]Delivered[/bold] (alerts and digests): {summary.sent} sent, {summary.retrying} to retry, "
        f"{summary.dead} failed",
        highlight=False,
    )
    for content in channels.smtp.messages[channels.shown_emails :]:
        mail = message_from_bytes(content, policy=policy.default)
        console.print(
            f"  email to {escape(str(mail['To']))}: {escape(str(mail['Subject']))}", highlight=False
        )
    for post in channels.slack.posts[channels.shown_posts :]:
        text = str(post.json().get("text", ""))
        console.print(f"  slack {escape(post.path)}: {escape(text)}", highlight=False)
    channels.shown_emails = len(channels.smtp.messages)
    channels.shown_posts = len(channels.slack.posts)
    console.print(f"  emails kept as .eml files in {channels.smtp.folder}/", highlight=False)
    return summary
