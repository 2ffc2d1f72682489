"""A digest goes out once per subscription and week, through the outbox, to a real SMTP server and
local HTTP receivers; the CLI writes its files; headless Chromium shows its chart."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from ipaddress import ip_network
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from alerts.channels import SmtpSettings
from alerts.notify import NotifyConfig, notify_pass
from alerts.period import week_period
from alerts.weekly import queue_digests
from extractors.http import HttpPolicy
from flows.digest import digest_flow
from newswatch.browser import CHROMIUM_ARGS, chromium_path
from newswatch.cli import app
from newswatch.commands.digest import Format, write_digest
from newswatch.demo_alerts import SmtpSink, WebhookReceiver
from storage import outbox as outbox_store
from storage.db import make_engine, upgrade
from tests.alerting_data import subscriptions
from tests.digest_data import BUILT, WEEK, store_known_weeks
from tests.test_notify import Clock

CHANNELS = """\
subscriptions:
  - name: moscow-desk
    channels:
      - email: [desk@example.org]
      - slack_webhook: {url_env: TEST_SLACK_URL}
      - webhook: {url_env: TEST_HOOK_URL}
    match:
      actors: [RUS, PRK, ARM, TALIBAN]
    delivery: digest
"""


def config(inbox: SmtpSink, receiver: WebhookReceiver) -> NotifyConfig:
    return NotifyConfig(
        smtp=SmtpSettings(host="127.0.0.1", port=inbox.port, security="none", timeout=5),
        http=HttpPolicy(allowed_networks=(ip_network("127.0.0.0/8"),), read_timeout=5),
        environ={"TEST_SLACK_URL": receiver.url("/slack"), "TEST_HOOK_URL": receiver.url("/hook")},
    )


def queue(engine: Engine) -> list[bool]:
    runs = queue_digests(
        engine, subscriptions(CHANNELS), lambda zone: week_period(WEEK, zone), now=BUILT
    )
    return [run.queued for run in runs]


def mails(inbox: SmtpSink) -> list[EmailMessage]:
    found = [message_from_bytes(m, policy=policy.default) for m in inbox.messages]
    return [m for m in found if isinstance(m, EmailMessage)]


def test_two_runs_for_the_same_week_deliver_one_digest_per_channel(
    engine: Engine, inbox: SmtpSink, receiver: WebhookReceiver
) -> None:
    store_known_weeks(engine)

    assert queue(engine) == [True]
    first = notify_pass(engine, config(inbox, receiver), clock=Clock(BUILT))
    assert queue(engine) == [False]
    second = notify_pass(engine, config(inbox, receiver), clock=Clock(BUILT + timedelta(hours=1)))

    assert (first.sent, second.claimed) == (3, 0)
    (mail,) = mails(inbox)
    assert "Digest moscow-desk, Week 47 of 2026" in str(mail["Subject"])
    assert "5 incidents (+3 on the period before), 3 first-time" in str(mail["Subject"])
    html = mail.get_body(preferencelist=("html",))
    text = mail.get_body(preferencelist=("plain",))
    assert html is not None and text is not None
    assert 'src="cid:chart@newswatch"' in html.get_content()
    assert "FIRST TIME IN 12 WEEKS (3 of 3 shown)" in text.get_content()
    (chart,) = [part for part in mail.walk() if part.get_content_type() == "image/png"]
    assert chart["Content-ID"] == "<chart@newswatch>"
    assert chart.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    slack, hook = sorted(receiver.posts, key=lambda post: post.path)[::-1]
    assert slack.path == "/slack" and "First time" in json.dumps(slack.json())
    assert hook.json()["kind"] == "digest" and hook.json()["period"]["iso_week"] == WEEK


class Killed(BaseException):
    """The process dies: nothing after this point runs."""


def test_a_digest_whose_sender_died_before_marking_is_resent_with_the_same_message_id(
    engine: Engine, inbox: SmtpSink, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_known_weeks(engine)
    queue(engine)

    def die(*args: object, **kwargs: object) -> bool:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(outbox_store, "mark_sent", die)
        with pytest.raises(Killed):
            notify_pass(engine, config(inbox, receiver), clock=Clock(BUILT))
    assert len(inbox.messages) == 1  # the SMTP server accepted it before the process died
    later = Clock(BUILT + timedelta(minutes=10))  # past the claim's lease
    notify_pass(engine, config(inbox, receiver), clock=later)
    notify_pass(engine, config(inbox, receiver), clock=later)

    first, again = mails(inbox)
    assert first["Message-ID"] == again["Message-ID"]  # mail systems drop the copy
    assert first["Subject"] == again["Subject"]
    with engine.connect() as conn:
        assert {d.status for d in outbox_store.list_deliveries(conn)} == {"sent"}


def test_the_digest_flow_sends_the_week_once(
    prefect_harness: None, sqlite_url: str, inbox: SmtpSink, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    store_known_weeks(engine)
    engine.dispose()
    subscriptions_file = tmp_path / "subscriptions.yaml"
    subscriptions_file.write_text(CHANNELS.split("      - slack_webhook")[0] + _MATCH)
    for name, value in {
        "NEWSWATCH_DATABASE_URL": sqlite_url,
        "NEWSWATCH_SUBSCRIPTIONS_PATH": str(subscriptions_file),
        "NEWSWATCH_SMTP_HOST": "127.0.0.1",
        "NEWSWATCH_SMTP_PORT": str(inbox.port),
        "NEWSWATCH_SMTP_SECURITY": "none",
    }.items():
        monkeypatch.setenv(name, value)

    first = digest_flow(week=WEEK)
    second = digest_flow(week=WEEK)

    assert first["digests"] == [
        {"subscription": "moscow-desk", "period": WEEK, "incidents": 5, "queued": True}
    ]
    assert second["digests"][0]["queued"] is False  # type: ignore[index]
    assert len(inbox.messages) == 1


_MATCH = """\
    match:
      actors: [RUS, PRK, ARM, TALIBAN]
    delivery: digest
"""


def test_the_command_writes_markdown_with_its_chart_and_rejects_a_bad_week(
    engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_known_weeks(engine)
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", database_url)
    out = tmp_path / "week.md"
    runner = CliRunner()

    done = runner.invoke(app, ["digest", "--week", WEEK, "--out", str(out)])
    bad = runner.invoke(app, ["digest", "--week", "2026-W99"])

    assert done.exit_code == 0, done.output
    assert "![Incidents per day, by event type](week.png)" in out.read_text()
    assert (tmp_path / "week.png").read_bytes()[:4] == b"\x89PNG"
    assert bad.exit_code == 2
    assert bad.output.strip().splitlines() == [
        "newswatch digest: bad week '2026-W99': 2026 has no week 99"
    ]


def _chromium_or_skip() -> str:
    try:
        return chromium_path()
    except RuntimeError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Debian's chromium: {error}")
        pytest.skip(str(error))


def test_the_html_digest_shows_its_chart_in_chromium(engine: Engine, tmp_path: Path) -> None:
    executable = _chromium_or_skip()
    from PIL import Image
    from playwright.sync_api import sync_playwright

    store_known_weeks(engine)
    digest = queue_digests(
        engine, subscriptions(CHANNELS), lambda zone: week_period(WEEK, zone), now=BUILT
    )[0].digest
    (page,) = write_digest(digest, Format.html, tmp_path / "digest.html")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        tab = browser.new_page(viewport={"width": 700, "height": 900})
        tab.goto(page.as_uri())
        chart = tab.locator("img[alt^='Incidents per day']")
        loaded = chart.evaluate("img => img.complete && img.naturalWidth")
        box = chart.bounding_box()
        chart.screenshot(path=str(tmp_path / "chart.png"))
        widest = tab.evaluate("document.documentElement.scrollWidth")
        browser.close()

    assert loaded and box is not None and box["width"] >= 600 and box["height"] >= 150
    assert widest <= 700  # no horizontal scrolling in a 700 px window
    colours = Image.open(tmp_path / "chart.png").convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is not None and len(colours) > 20  # bars, text and legend, not a blank box
