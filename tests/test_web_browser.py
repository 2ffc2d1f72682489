"""The web UI in headless Chromium (Debian's package, driven by Playwright): an analyst signs in,
reads the demo's incidents, marks one wrong, finds it under "reviewed" and searches for an actor.
A feed title full of markup shows as text and runs nothing. Screenshots go to
demo-output/web/ for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import ip_network
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, sync_playwright
from typer.testing import CliRunner

from flows.pipeline import run_cycle
from flows.settings import Settings
from newswatch.browser import CHROMIUM_ARGS, chromium_path
from newswatch.cli import app as cli_app
from storage.db import make_engine
from storage.feeds import add_feed
from storage.users import add_user
from tests.alerting_data import NOW
from tests.support.webserver import LocalWebServer, Route
from tests.support.webui import serving
from web.app import WebConfig

REPO_ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = REPO_ROOT / "demo-output" / "web"
HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
PASSWORD = "analyst password 1"
HOSTILE_TITLE = (
    'Moscow hosts Taliban envoy <script>alert("title")</script><img src=x onerror=alert(1)>'
)


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo's database, with an analyst and a hostile feed's article ingested for real."""
    output = tmp_path_factory.mktemp("web") / "demo"
    result = CliRunner().invoke(cli_app, ["demo", "--output", str(output)])
    assert result.exit_code == 0, result.output
    url = f"sqlite:///{output / 'newswatch-demo.db'}"
    with LocalWebServer() as server:
        feed = (HOSTILE / "feed.xml").read_text().replace("{base}", server.base_url)
        server.add("/hostile/feed.xml", Route(feed.encode(), content_type="application/rss+xml"))
        server.add("/hostile/story.html", Route((HOSTILE / "story.html").read_bytes()))
        engine = make_engine(url)
        with engine.begin() as conn:
            add_feed(conn, server.url("/hostile/feed.xml"), None, now=NOW)
            add_user(conn, "analyst", PASSWORD, "write", now=NOW)
        engine.dispose()
        settings = Settings(database_url=url, allowed_private_networks=(ip_network("127.0.0.0/8"),))
        assert run_cycle(settings, include_all=True).articles_stored == 1
    yield url


@pytest.fixture(scope="module")
def browser_page(demo_database: str) -> Iterator[tuple[Page, str, list[str]]]:
    config = WebConfig(database_url=demo_database, secret="browser-test-" + "s" * 32)
    dialogs: list[str] = []
    with serving(config) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=list(CHROMIUM_ARGS)
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        def refuse(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", refuse)
        yield page, base_url, dialogs
        browser.close()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_an_analyst_triages_the_demo_incidents(browser_page: tuple[Page, str, list[str]]) -> None:
    page, base_url, dialogs = browser_page
    page.goto(f"{base_url}/incidents")
    assert page.url.startswith(f"{base_url}/signin")
    shot(page, "1-sign-in.png")
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/incidents")
    assert "Diplomatic recognition" in page.inner_text("table.list")
    assert "Russia → Taliban" in page.inner_text("table.list")
    shot(page, "2-incidents.png")

    rows = page.locator("table.list tbody tr")
    recognition = rows.filter(has_text="Diplomatic recognition").filter(has_text="Russia → Taliban")
    recognition.locator("a").first.click()
    page.wait_for_selector("blockquote.evidence mark.trigger")
    assert "Russia" in page.inner_text("blockquote.evidence mark.actor")
    shot(page, "3-incident.png")
    page.check("input[value=wrong_type]")
    page.fill("textarea[name=comment]", "a visit, not a recognition")
    page.click("form.feedback button[type=submit]")
    page.wait_for_selector("ul.history")
    assert "Wrong type by analyst" in page.inner_text("ul.history")

    page.goto(f"{base_url}/incidents?review=reviewed")
    reviewed = page.inner_text("table.list")
    assert "Diplomatic recognition" in reviewed and "Wrong type" in reviewed
    shot(page, "4-reviewed.png")

    page.goto(f"{base_url}/search?q=Taliban")
    results = page.inner_text("ol.results")
    assert HOSTILE_TITLE in results  # the markup is shown as the text it is
    assert page.locator("ol.results img").count() == 0
    shot(page, "5-search.png")
    assert dialogs == []  # no script of a feed ran
