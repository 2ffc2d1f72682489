"""The analysts' web UI through its routes (FastAPI's test client), on SQLite and PostgreSQL:
sign-in and its protections, the incident list and page, feedback and its export, search, the
watchlist playground and the feeds."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from alerts.process import process_events
from newswatch.cli import app as cli_app
from storage.events import EventActor
from storage.models import articles, deliveries
from storage.users import add_user
from tests.alerting_data import DESK, NOW, Ev, publish, subscriptions
from web.app import WebConfig, create_app
from web.security import SignInLimiter

PASSWORD = "correct horse battery"
HOSTILE = '<script>alert("owned")</script><img src=x onerror=alert(1)>'
DEPLOYMENT = "North Korea sent several thousand troops to Russia's Kursk region on Monday."
STRIKE = "Russian missiles struck Kyiv overnight, killing nine people."
UKR = EventActor("UKR", "Ukraine", "target")
RUS_SOURCE = EventActor("RUS", "Russia", "source")


@pytest.fixture
def database(engine: Engine, database_url: str) -> str:
    """A database with two analysts and two alerted incidents, one article titled with markup."""
    with engine.begin() as conn:
        add_user(conn, "reader", PASSWORD, "read", now=NOW)
        add_user(conn, "writer", PASSWORD, "write", now=NOW)
        ids = publish(conn, "wire", "kursk", (Ev(evidence=DEPLOYMENT),))
        ids += publish(
            conn,
            "post",
            "kyiv",
            (Ev("military_strike", evidence=STRIKE, actors=(RUS_SOURCE, UKR)),),
        )
        process_events(conn, ids, subscriptions(DESK.replace("[PRK]", "[PRK, RUS]")), now=NOW)
        conn.execute(update(articles).where(articles.c.guid == "kyiv").values(title=HOSTILE))
        conn.execute(update(articles).where(articles.c.guid == "kursk").values(text=DEPLOYMENT))
    return database_url


@pytest.fixture
def client(database: str) -> Iterator[TestClient]:
    config = WebConfig(database_url=database, secret="test-secret-" + "x" * 32)
    with TestClient(create_app(config), follow_redirects=False) as test_client:
        yield test_client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "every form carries a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str = "reader", next_path: str = "/incidents") -> None:
    token = csrf_of(client.get("/signin").text)
    form = {"username": username, "password": PASSWORD, "csrf": token, "next": next_path}
    response = client.post("/signin", data=form)
    assert response.status_code == 303, response.text


def incident_id(client: TestClient, label: str) -> int:
    page = client.get("/incidents").text
    found = re.search(rf'<a href="/incidents/(\d+)">{label}</a>', page)
    assert found, page
    return int(found.group(1))


def listed(client: TestClient, query: str = "") -> list[str]:
    """The types of the incidents the list shows, in its order."""
    page = client.get(f"/incidents{query}").text
    found = re.findall(r'<td><a href="/incidents/\d+">([^<]+)</a></td>', page)
    return [label for label in found if not label.isdigit()]


def test_signed_out_visitors_are_sent_to_sign_in_and_back(client: TestClient) -> None:
    response = client.get("/incidents?type=sanctions")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=%2Fincidents%3Ftype%3Dsanctions"
    sign_in(client, next_path="/incidents?type=sanctions")
    assert client.get("/incidents?type=sanctions").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_sign_in_never_redirects_off_site(client: TestClient, target: str) -> None:
    token = csrf_of(client.get("/signin").text)
    form = {"username": "reader", "password": PASSWORD, "csrf": token, "next": target}
    assert client.post("/signin", data=form).headers["location"] == "/incidents"


def test_wrong_passwords_are_refused_and_then_rate_limited(client: TestClient) -> None:
    token = csrf_of(client.get("/signin").text)
    form = {"username": "reader", "password": "not the password", "csrf": token}
    codes = [client.post("/signin", data=form).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    right = {**form, "password": PASSWORD}
    assert client.post("/signin", data=right).status_code == 429  # still blocked for a while


def test_a_form_without_the_csrf_token_is_refused(client: TestClient) -> None:
    form = {"username": "reader", "password": PASSWORD, "csrf": "forged"}
    assert client.post("/signin", data=form).status_code == 403
    sign_in(client)
    number = incident_id(client, "Troop deployment")
    response = client.post(f"/incidents/{number}/feedback", data={"verdict": "correct"})
    assert response.status_code == 403


def test_the_session_cookie_is_http_only_and_same_site(database: str) -> None:
    config = WebConfig(database_url=database, secret="s" * 40, secure=True)
    with TestClient(create_app(config), base_url="https://testserver") as secure_client:
        cookie = secure_client.get("/signin").headers["set-cookie"].lower()
    assert "; httponly" in cookie and "; samesite=lax" in cookie and "; secure" in cookie


def test_the_incident_list_filters(client: TestClient) -> None:
    sign_in(client)
    assert sorted(listed(client)) == ["Military strike", "Troop deployment"]
    assert "North Korea → Russia" in client.get("/incidents").text  # names, with the direction
    assert listed(client, "?type=military_strike") == ["Military strike"]
    assert listed(client, "?actor=prk") == ["Troop deployment"]
    assert listed(client, "?modality=negated") == []
    assert listed(client, "?until=2020-01-01") == []
    assert len(listed(client, "?since=2026-11-20&subscription=korea-desk")) == 2
    assert listed(client, "?subscription=nobody") == []
    assert len(listed(client, "?review=unreviewed")) == 2
    assert listed(client, "?review=reviewed") == []


def test_an_incident_page_shows_evidence_sources_and_alerts(client: TestClient) -> None:
    sign_in(client)
    page = client.get(f"/incidents/{incident_id(client, 'Troop deployment')}").text
    assert '<mark class="actor">North Korea</mark>' in page
    assert '<mark class="trigger">' in page
    assert "Wire" in page and "https://wire.example/kursk" in page  # the outlet and its link
    assert "korea-desk" in page and "email:" in page  # the alert and where it went
    assert client.get("/incidents/999999").status_code == 404


def test_hostile_article_text_renders_as_text(client: TestClient) -> None:
    sign_in(client)
    page = client.get(f"/incidents/{incident_id(client, 'Military strike')}").text
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in page


def test_feedback_is_stored_with_who_and_when_and_marks_the_incident(client: TestClient) -> None:
    sign_in(client)
    number = incident_id(client, "Military strike")
    token = csrf_of(client.get(f"/incidents/{number}").text)
    form = {"verdict": "not_event", "comment": "a drill, not a strike", "csrf": token}
    assert client.post(f"/incidents/{number}/feedback", data=form).status_code == 303
    page = client.get(f"/incidents/{number}").text
    assert "Not an event" in page and "by reader" in page and "a drill, not a strike" in page
    assert listed(client, "?review=wrong") == ["Military strike"]
    assert listed(client, "?review=unreviewed") == ["Troop deployment"]
    precision = client.get("/feedback").text
    assert "Military strike" in precision and "0%" in precision


def test_holding_alerts_needs_the_write_role(client: TestClient, engine: Engine) -> None:
    sign_in(client)
    number = incident_id(client, "Military strike")
    token = csrf_of(client.get(f"/incidents/{number}").text)
    form = {"verdict": "not_event", "hold": "1", "csrf": token}
    assert client.post(f"/incidents/{number}/feedback", data=form).status_code == 403
    client.cookies.clear()
    sign_in(client, "writer")
    token = csrf_of(client.get(f"/incidents/{number}").text)
    assert (
        client.post(f"/incidents/{number}/feedback", data={**form, "csrf": token}).status_code
        == 303
    )
    with engine.connect() as conn:
        statuses = sorted(conn.execute(select(deliveries.c.status)).scalars())
    # the strike's alerts are held; the deployment's (another incident) still go out
    assert "held" in statuses and "pending" in statuses


def test_exported_corrections_are_read_by_eval(
    client: TestClient, database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client)
    number = incident_id(client, "Troop deployment")
    token = csrf_of(client.get(f"/incidents/{number}").text)
    form = {"verdict": "wrong_modality", "right_modality": "hedged", "csrf": token}
    client.post(f"/incidents/{number}/feedback", data=form)
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", database)
    exported = tmp_path / "feedback.jsonl"
    runner = CliRunner()
    result = runner.invoke(cli_app, ["feedback", "export", "-o", str(exported)])
    assert result.exit_code == 0, result.output
    (example,) = [json.loads(line) for line in exported.read_text().splitlines()]
    assert example["text"] == DEPLOYMENT
    assert example["events"] == [
        {
            "type": "troop_deployment",
            "modality": "hedged",
            "actors": [{"id": "PRK", "role": "source"}, {"id": "RUS", "role": "target"}],
        }
    ]
    scored = runner.invoke(cli_app, ["eval", str(exported)])
    assert scored.exit_code == 0, scored.output
    assert "Modality right on 0 of 1" in scored.output  # the matcher says asserted


def test_search_finds_articles_and_evidence_with_filters(client: TestClient) -> None:
    sign_in(client)
    found = client.get("/search?q=Kursk+troops").text
    assert "1 result" in found and '<mark class="hit">' in found
    assert "0 results" in client.get("/search?q=Kursk&type=sanctions").text
    evidence = client.get("/search?q=missiles&scope=evidence").text
    assert "1 result" in evidence and "Military strike" in evidence
    assert "0 results" in client.get("/search?q=missiles&scope=evidence&actor=PRK").text
    assert "0 results" in client.get('/search?q="unbalanced AND (').text


def test_the_playground_explains_and_replays_a_changed_watchlist(
    client: TestClient, tmp_path: Path
) -> None:
    sign_in(client)
    token = csrf_of(client.get("/playground").text)
    explained = client.post(
        "/playground/explain", data={"sentence": DEPLOYMENT, "csrf": token}
    ).text
    assert "troops-sent" in explained and "fired (asserted)" in explained
    # A watchlist without the deployment patterns would lose the Kursk incident.
    patterns = (
        "patterns:\n"
        "  - id: only-sanctions\n"
        "    type: sanctions\n"
        '    triggers: ["sanction*"]\n'
        "    roles:\n"
        '      source: "subject"\n'
        '      target: "object"\n'
    )
    files = [("files", ("patterns.yaml", patterns.encode(), "application/yaml"))]
    replayed = client.post("/playground/replay", data={"csrf": token, "days": "3650"}, files=files)
    assert replayed.status_code == 200, replayed.text
    assert "Incidents it would remove" in replayed.text and "PRK,RUS" in replayed.text
    broken = [("files", ("patterns.yaml", b"patterns:\n  - id: x\n    type: coup\n", "text/yaml"))]
    refused = client.post("/playground/replay", data={"csrf": token}, files=broken)
    assert refused.status_code == 400
    assert "patterns.yaml:3: unknown event type &#39;coup&#39;" in refused.text


def test_readers_see_feeds_and_writers_add_them(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/feeds").text
    assert "wire.example" in page
    form = {"url": "https://new.example/rss", "csrf": csrf_of(page)}
    assert client.post("/feeds", data=form).status_code == 403
    client.cookies.clear()
    sign_in(client, "writer")
    token = csrf_of(client.get("/feeds").text)
    added = client.post("/feeds", data={**form, "csrf": token})
    assert added.status_code == 200 and "Added https://new.example/rss" in added.text
    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><body>'
        b'<outline text="A" xmlUrl="https://a.example/feed"/>'
        b'<outline text="B" xmlUrl="javascript:alert(1)"/></body></opml>'
    )
    imported = client.post(
        "/feeds/import", data={"csrf": token}, files={"opml": ("feeds.opml", opml, "text/xml")}
    )
    assert "1 feeds added, 0 already known, 1 skipped" in imported.text
    assert (
        "Not an http(s) URL" in client.post("/feeds", data={"url": "ftp://x", "csrf": token}).text
    )


def test_users_add_hashes_the_password(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.db import make_engine, upgrade
    from storage.models import users

    upgrade(sqlite_url)
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("ANALYST_PASSWORD", PASSWORD)
    command = ["users", "add", "ana", "--role", "write", "--password-env", "ANALYST_PASSWORD"]
    result = CliRunner().invoke(cli_app, command)
    assert result.exit_code == 0, result.output
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    engine.dispose()
    assert stored.startswith("$argon2") and PASSWORD not in stored
    monkeypatch.setenv("ANALYST_PASSWORD", "short")
    assert CliRunner().invoke(cli_app, command).exit_code != 0


def test_dates_in_the_future_do_not_break_the_list(client: TestClient) -> None:
    sign_in(client)
    tomorrow = datetime.now(UTC).date().replace(year=datetime.now(UTC).year + 1).isoformat()
    assert client.get(f"/incidents?since={tomorrow}&until=not-a-date").status_code == 200


def test_sign_in_failures_count_only_within_the_window() -> None:
    now = [0.0]
    limiter = SignInLimiter(attempts=2, window_s=60, clock=lambda: now[0])
    limiter.failed("user:a")
    limiter.failed("user:a")
    assert limiter.blocked("user:a")
    now[0] = 61
    assert not limiter.blocked("user:a")
