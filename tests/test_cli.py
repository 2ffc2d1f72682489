"""The `newswatch` command as an operator uses it: feeds, OPML, runs and articles, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswatch.cli import app
from tests.support.pages import CSTO_FREEZE, HARBOUR_STORM
from tests.support.webserver import LocalWebServer, Route
from tests.test_ingest import serve_stories

runner = CliRunner()


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("NEWSWATCH_ALLOWED_PRIVATE_NETWORKS", "127.0.0.0/8")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return database_url


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_opml_import_then_run_then_articles_as_json(
    web: LocalWebServer, cli_env: str, tmp_path: Path
) -> None:
    feed_url = serve_stories(web, "/gazette", [CSTO_FREEZE, HARBOUR_STORM])
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
        f'<outline text="World"><outline type="rss" text="Gazette" xmlUrl="{feed_url}"/></outline>'
        '<outline type="rss" text="Broken" xmlUrl="ftp://example.invalid/feed"/>'
        "</body></opml>"
    )

    assert "1 feeds added" in invoke("feeds", "import", str(opml))
    run_output = invoke("run")
    articles = json.loads(invoke("articles", "list", "--json"))

    assert "articles stored 2" in run_output
    assert {a["title"] for a in articles} == {CSTO_FREEZE.title, HARBOUR_STORM.title}
    first = articles[0]
    for key in ("url", "canonical_url", "title", "language", "published_at", "story_id", "text"):
        assert key in first
    shown = invoke("articles", "show", str(first["id"]))
    assert first["title"] in shown
    cut = invoke("articles", "list", "--limit", "1")
    assert "1 of 2 articles shown, the newest; 1 more" in cut
    assert "more" not in invoke("articles", "list")


def test_feeds_list_shows_a_failing_feed_with_its_reason(web: LocalWebServer, cli_env: str) -> None:
    url = web.add("/down.xml", Route(status=503, body=b"maintenance"))
    invoke("feeds", "add", url)
    invoke("run")

    [feed] = json.loads(invoke("feeds", "list", "--json"))
    table = invoke("feeds", "list")

    assert feed["consecutive_failures"] == 1 and "503" in feed["last_error"]
    assert "503" in table


def test_feeds_export_round_trips_through_import(cli_env: str, tmp_path: Path) -> None:
    invoke("feeds", "add", "https://news.example.org/world.xml", "--title", "World & Politics")
    invoke("feeds", "add", "https://news.example.org/world.xml")
    exported = tmp_path / "out.opml"
    invoke("feeds", "export", "-o", str(exported))

    text = exported.read_text()
    assert "https://news.example.org/world.xml" in text and "World &amp; Politics" in text
    assert "0 feeds added, 1 already known" in invoke("feeds", "import", str(exported))


def test_adding_a_non_http_url_is_refused(cli_env: str) -> None:
    result = runner.invoke(app, ["feeds", "add", "file:///etc/passwd"])
    assert result.exit_code != 0 and "not an http(s) URL" in result.output


def test_showing_a_missing_article_fails_clearly(cli_env: str) -> None:
    result = runner.invoke(app, ["articles", "show", "999"])
    assert result.exit_code == 1 and "no article with id 999" in result.output
