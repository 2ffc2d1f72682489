"""The digest of a known week on SQLite and PostgreSQL: counts against the week before, ranking,
first-time items, hedged and planned apart, denied and unfollowed events absent; and every form of
it escaping hostile article text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from alerts.digest import Digest, DigestOptions, digest_from_json, digest_to_json
from alerts.digest_render import (
    digest_html,
    digest_json,
    digest_markdown,
    digest_slack,
    digest_subject,
    digest_text,
)
from alerts.health import source_health
from alerts.message import AlertSource
from alerts.period import PeriodError, day_period, last_full_week, week_period
from alerts.subscriptions import Match
from alerts.weekly import collect_digest
from storage.feeds import FeedRecord
from tests.alerting_data import subscriptions
from tests.digest_data import BUILT, DESK, WEEK, store_known_weeks


def desk_digest(engine: Engine, week: str = WEEK) -> Digest:
    (desk,) = subscriptions(DESK)
    with engine.connect() as conn:
        return collect_digest(conn, desk.name, desk.match, week_period(week), now=BUILT)


def kinds(items: object) -> list[tuple[str, str]]:
    return [(i.event_type, "-".join(a.id for a in i.actors)) for i in items]  # type: ignore[attr-defined]


def test_the_known_week_counts_ranks_and_compares(engine: Engine) -> None:
    store_known_weeks(engine)

    digest = desk_digest(engine)

    # Recognition (3 articles), troops, strike, CSTO (hedged), treaty (planned); not the denial.
    assert (digest.totals.incidents, digest.totals.articles, digest.totals.outlets) == (5, 7, 3)
    assert (digest.previous_totals.incidents, digest.previous_totals.articles) == (2, 2)
    assert kinds(digest.top) == [
        ("diplomatic_recognition", "RUS-TALIBAN"),
        ("military_strike", "RUS-UKR"),
        ("troop_deployment", "PRK-RUS"),
    ]
    recognition = digest.top[0]
    assert (recognition.outlets, recognition.independent_outlets) == (3, 2)
    assert len(recognition.sources) == 3
    assert recognition.first_seen == datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    assert kinds(digest.hedged) == [("alliance_membership", "ARM-CSTO")]
    assert kinds(digest.planned) == [("agreement_signed", "ARM-AZE")]
    counts = {row.event_type: (row.count, row.previous) for row in digest.by_type}
    assert counts == {
        "diplomatic_recognition": (1, 0),
        "military_strike": (1, 0),
        "troop_deployment": (1, 1),
        "alliance_membership": (1, 0),
        "agreement_signed": (1, 0),
        "sanctions": (0, 1),
    }
    assert [(d.day, d.event_type, d.count) for d in digest.per_day][:1] == [
        (date(2026, 11, 16), "diplomatic_recognition", 1)
    ]


def test_first_time_items_are_pairs_unseen_in_the_lookback_weeks(engine: Engine) -> None:
    store_known_weeks(engine)

    digest = desk_digest(engine)

    # Troops from North Korea came the week before, the strike on Ukraine in October.
    assert kinds(digest.first_time) == [
        ("diplomatic_recognition", "RUS-TALIBAN"),
        ("alliance_membership", "ARM-CSTO"),
        ("agreement_signed", "ARM-AZE"),
    ]
    html = digest_html(digest, chart_src="cid:chart")
    assert html.index("First time in 12 weeks") < html.index("Top incidents")


def test_denied_and_unfollowed_events_appear_nowhere(engine: Engine) -> None:
    store_known_weeks(engine)

    digest = desk_digest(engine)

    every_form = digest_text(digest) + digest_html(digest, chart_src="cid:chart")
    every_form += digest_markdown(digest, chart_file="c.png") + digest_json(digest).decode()
    assert "arms_transfer" not in every_form and "Arms transfer" not in every_form
    assert "drones-denied" not in every_form and "CHN" not in every_form


def test_an_empty_week_is_a_short_digest_that_says_so(engine: Engine) -> None:
    store_known_weeks(engine)

    digest = desk_digest(engine, "2026-W30")

    assert digest.empty and digest.top == () and digest.first_time == ()
    assert "no incidents" in digest_subject(digest)
    for text in (
        digest_text(digest),
        digest_html(digest, chart_src="cid:chart"),
        digest_markdown(digest, chart_file=None),
    ):
        assert "No incidents involving the actors and event types this subscription follows" in text
    assert json.loads(digest_json(digest))["totals"]["incidents"] == 0
    assert "No incidents" in json.dumps(digest_slack(digest))


def test_the_stored_json_form_gives_back_the_same_digest(engine: Engine) -> None:
    store_known_weeks(engine)
    digest = desk_digest(engine)

    assert digest_from_json(json.loads(json.dumps(digest_to_json(digest)))) == digest


HOSTILE = "<script>alert(1)</script> <!channel> *bold* [x](javascript:alert(2))\r\nBcc: victim@evil.example"
HOSTILE_URL = "javascript:alert(3)"


def hostile(digest: Digest) -> Digest:
    item = digest.top[0]
    source = AlertSource(outlet=HOSTILE, title=HOSTILE, url=HOSTILE_URL, published_at=None)
    bad = replace(item, evidence=HOSTILE, sources=(source, *item.sources))
    return replace(digest, top=(bad, *digest.top[1:]), first_time=(bad,), subscription="desk")


def test_hostile_text_is_escaped_in_html(engine: Engine) -> None:
    store_known_weeks(engine)
    html = digest_html(hostile(desk_digest(engine)), chart_src="cid:chart")

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.replace("javascript:alert(2)", "")  # only inside escaped text
    assert 'href="javascript' not in html


def test_hostile_text_is_escaped_in_markdown_and_text(engine: Engine) -> None:
    store_known_weeks(engine)
    digest = hostile(desk_digest(engine))

    markdown = digest_markdown(digest, chart_file="chart.png")
    assert "<script>" not in markdown and r"\<script\>" in markdown
    assert "](javascript" not in markdown and r"\[x\]\(javascript" in markdown
    text = digest_text(digest)
    assert "\r" not in text and "\nBcc:" not in text
    assert "(link withheld: not a plain web address)" in text


def test_hostile_text_is_escaped_in_slack_and_json(engine: Engine) -> None:
    store_known_weeks(engine)
    digest = hostile(desk_digest(engine))

    slack = json.dumps(digest_slack(digest))
    assert "<!channel>" not in slack and "&lt;!channel&gt;" in slack
    assert "<javascript" not in slack
    payload = json.loads(digest_json(digest))
    assert payload["top"][0]["evidence"] == HOSTILE  # JSON carries the text as data, exactly
    assert "\n" not in digest_subject(digest) and "\r" not in digest_subject(digest)


def test_weeks_are_iso_weeks_in_the_subscription_time_zone() -> None:
    berlin = week_period("2026-W47", "Europe/Berlin")

    assert berlin.start == datetime(2026, 11, 15, 23, 0, tzinfo=UTC)
    assert berlin.end - berlin.start == timedelta(days=7)
    assert week_period("2027-W01").previous().key == "2026-W53"
    assert day_period(date(2026, 11, 16), date(2026, 11, 22)).key == "2026-W47"
    assert (
        day_period(date(2026, 11, 28), date(2026, 12, 3)).previous().key == "2026-11-22..2026-11-27"
    )
    # Monday morning in Berlin is still Sunday in New York: its last full week is one earlier.
    monday = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert last_full_week(monday, "Europe/Berlin").key == "2026-W47"
    assert last_full_week(monday, "America/New_York").key == "2026-W46"
    with pytest.raises(PeriodError, match="2026-W60"):
        week_period("2026-W60")


def _feed(feed_id: int, title: str, failures: int = 0, error: str | None = None) -> FeedRecord:
    moment = datetime(2026, 11, 1, tzinfo=UTC)
    return FeedRecord(
        id=feed_id, url=f"https://{title.lower()}.example/rss", title=title, added_at=moment,
        etag=None, last_modified=None, next_poll_at=moment, poll_interval_s=300,
        last_polled_at=moment, last_success_at=None, last_new_entries_at=None,
        consecutive_failures=failures, last_error=error, last_status=None,
    )  # fmt: skip


def test_source_health_names_failing_and_unusually_silent_feeds() -> None:
    as_of = datetime(2026, 11, 23, tzinfo=UTC)
    hourly = [as_of - timedelta(days=3, hours=n) for n in range(20)]  # quiet for 3 days
    daily = [as_of - timedelta(days=n) for n in range(1, 20)]  # on its rhythm
    feeds = [_feed(1, "Hourly"), _feed(2, "Daily"), _feed(3, "Broken", 4, "HTTP 500\r\nX: y")]

    health = source_health(feeds, {1: hourly, 2: daily}, as_of=as_of)

    assert [(h.outlet, h.problem) for h in health] == [("Broken", "failing"), ("Hourly", "silent")]
    assert health[0].detail == "4 failed polls in a row: HTTP 500 X: y"
    assert health[1].detail == "no article for 3 days; usually one every 1 hour"


def test_a_digest_of_everything_needs_no_subscription(engine: Engine) -> None:
    store_known_weeks(engine)
    with engine.connect() as conn:
        digest = collect_digest(conn, "everything", Match(), week_period(WEEK), now=BUILT)

    assert digest.totals.incidents == 6  # the desk's five and the US sanctions on China


def test_the_slack_summary_stays_within_slack_limits(engine: Engine) -> None:
    store_known_weeks(engine)
    digest = desk_digest(engine)
    long_source = AlertSource(
        "Outlet " * 100, "Title " * 500, "https://x.example/" + "a" * 1900, None
    )
    crowded = replace(digest.top[0], evidence="Word " * 2000, sources=(long_source,) * 30)
    digest = replace(digest, top=(crowded,) * 10, first_time=(crowded,) * 10)

    payload = digest_slack(digest)

    blocks = payload["blocks"]
    assert isinstance(blocks, list) and len(blocks) <= 50
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    texts += [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert texts and max(len(t) for t in texts) <= 3000
    assert all(len(b["elements"]) <= 10 for b in blocks if b["type"] == "context")


def test_first_time_items_beyond_the_cap_are_counted_not_listed(engine: Engine) -> None:
    store_known_weeks(engine)
    (desk,) = subscriptions(DESK)
    with engine.connect() as conn:
        digest = collect_digest(
            conn, desk.name, desk.match, week_period(WEEK), now=BUILT,
            options=DigestOptions(first_time=2),
        )  # fmt: skip

    assert (len(digest.first_time), digest.first_time_total) == (2, 3)
    assert "2 of 3 shown" in digest_html(digest, chart_src="cid:chart")
    assert "3 first-time" in digest_subject(digest)
