"""Subscriptions in YAML: validated with file and line; secrets only by environment variable."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from alerts.subscriptions import (
    DEFAULT_MODALITIES,
    QuietHours,
    SubscriptionError,
    check_subscriptions,
    load_subscriptions,
    parse_subscriptions,
)
from alerts.targets import ChannelSpec
from extractors.events.model import EVENT_TYPES
from tests.alerting_data import cli

EXAMPLE = Path(__file__).resolve().parent.parent / "alerts" / "examples" / "subscriptions.yaml"

MINIMAL = """\
subscriptions:
  - name: desk
    channels:
      - email: [desk@example.org]
"""


def _problems(text: str, **kwargs: object) -> list[str]:
    _, problems = parse_subscriptions(text, file="subs.yaml", **kwargs)  # type: ignore[arg-type]
    return [str(p) for p in problems]


def test_the_documented_example_is_valid() -> None:
    subscriptions = load_subscriptions(EXAMPLE)
    by_name = {s.name: s for s in subscriptions}
    assert set(by_name) == {"caucasus-desk", "korea-military", "recognition-watch"}
    desk = by_name["caucasus-desk"]
    assert desk.match.actors == {"ARM", "AZE"}
    assert desk.match.pairs == (frozenset({"RUS", "AZE"}),)
    assert desk.cooldown == timedelta(minutes=10)
    assert desk.max_per_hour == 6
    assert desk.quiet_hours == QuietHours(time(23, 0), time(6, 30))
    assert desk.timezone == ZoneInfo("Europe/Berlin")
    assert desk.channels[1] == ChannelSpec(
        "slack_webhook", url_env="NEWSWATCH_SLACK_CAUCASUS_WEBHOOK"
    )
    assert by_name["korea-military"].delivery == "hourly"
    assert "negated" in by_name["korea-military"].match.modalities
    assert by_name["recognition-watch"].delivery == "digest"


def test_defaults_never_alert_on_negated_events() -> None:
    (subscription,), problems = parse_subscriptions(MINIMAL)
    assert problems == []
    assert subscription.match.modalities == DEFAULT_MODALITIES
    assert "negated" not in subscription.match.modalities
    assert subscription.delivery == "instant"
    assert subscription.quiet_hours is None


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("slack_webhook: {url: 'https://hooks.slack.com/services/T/B/X'}", "url_env"),
        ("slack_bot: {token: xoxb-123, channel: '#x'}", "token_env"),
        ("webhook: {url: 'https://example.org/h', secret: s3cret}", "secret_env"),
    ],
)
def test_inline_secrets_are_refused_with_the_field_to_use(channel: str, expected: str) -> None:
    text = f"subscriptions:\n  - name: desk\n    channels:\n      - {channel}\n"
    problem = _problems(text)[0]
    assert problem.startswith("subs.yaml:4: secrets are never written in the file")
    assert expected in problem


def test_every_problem_names_its_line() -> None:
    text = """\
subscriptions:
  - name: desk
    channels:
      - email: [not-an-address]
      - slack_bot: {token_env: "bad name"}
    match:
      actors: [RUS, XXQ]
      pairs: [[ARM]]
      event_types: [troop_deployment, invasion]
      modalities: [asserted, likely]
      min_confidence: 2
      marks: [phone_call, phonecall]
    delivery: weekly
    quiet_hours: {start: 22:00, end: "07:00"}
    timezone: Mars/Olympus
    colour: red
"""
    problems = _problems(text, known_actors={"RUS", "ARM"})
    assert problems == [  # in line order
        "subs.yaml:4: not an email address: 'not-an-address'",
        "subs.yaml:5: not an environment variable name: 'bad name'",
        "subs.yaml:5: missing required field 'channel' in 'slack_bot'",
        "subs.yaml:7: unknown actor 'XXQ': not in the watchlist",
        "subs.yaml:8: a pair is a list of two different actor ids",
        f"subs.yaml:9: unknown event type 'invasion' ({', '.join(EVENT_TYPES)})",
        "subs.yaml:10: unknown modality 'likely' (asserted, hedged, future, negated)",
        "subs.yaml:11: 'min_confidence' must be between 0 and 1",
        "subs.yaml:12: unknown mark 'phonecall' (phone_call, withdrawal)",
        "subs.yaml:13: 'delivery' must be one of instant, hourly, digest",
        "subs.yaml:14: 'start' must be a quoted time like \"22:00\"",
        "subs.yaml:15: unknown time zone 'Mars/Olympus' (e.g. Europe/Berlin)",
        "subs.yaml:16: unknown field 'colour' in a subscription",
    ]


def test_a_subscription_needs_a_name_and_a_channel() -> None:
    problems = _problems("subscriptions:\n  - match: {actors: [RUS]}\n")
    assert problems == [
        "subs.yaml:2: missing required field 'name'",
        "subs.yaml:2: a subscription needs at least one channel",
    ]


def test_names_are_unique() -> None:
    second = MINIMAL.split("\n", 1)[1]
    assert _problems(MINIMAL + second) == ["subs.yaml:5: subscription 'desk' is defined twice"]


def test_invalid_subscriptions_are_left_out_and_loading_raises(tmp_path: Path) -> None:
    path = tmp_path / "subs.yaml"
    path.write_text(MINIMAL + "  - name: broken\n    channels: []\n", encoding="utf-8")
    valid, problems = check_subscriptions(path)
    assert [s.name for s in valid] == ["desk"]
    assert [p.line for p in problems] == [6]
    with pytest.raises(SubscriptionError, match="at least one channel"):
        load_subscriptions(path)


def test_unreadable_and_malformed_files_are_problems(tmp_path: Path) -> None:
    _, problems = check_subscriptions(tmp_path / "missing.yaml")
    assert "cannot read file" in str(problems[0])
    assert _problems("subscriptions: [")[0].startswith("subs.yaml:2: invalid YAML")


def test_quiet_hours_can_span_midnight() -> None:
    night = QuietHours(time(22, 0), time(7, 0))
    assert night.contains(time(23, 30)) and night.contains(time(6, 59))
    assert not night.contains(time(7, 0)) and not night.contains(time(12, 0))
    lunch = QuietHours(time(12, 0), time(13, 0))
    assert lunch.contains(time(12, 30)) and not lunch.contains(time(13, 0))


def test_channel_keys_are_stable_and_name_no_secret() -> None:
    email = ChannelSpec("email", recipients=("b@example.org", "a@example.org"))
    assert email.key == "email:a@example.org,b@example.org"
    bot = ChannelSpec("slack_bot", token_env="SLACK_TOKEN", channel="#korea")
    assert bot.key == "slack_bot:token_env=SLACK_TOKEN,channel=#korea"
    assert ChannelSpec.from_json(bot.to_json()) == bot
    assert ChannelSpec.from_json(email.to_json()) == email
    assert bot.env_names() == ("SLACK_TOKEN",)


def test_subscriptions_check_reports_problems_and_unset_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSWATCH_SUBSCRIPTIONS_PATH", raising=False)
    monkeypatch.delenv("NEWSWATCH_SMTP_HOST", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    good = runner.invoke(cli(), ["subscriptions", "check", str(EXAMPLE)])
    assert good.exit_code == 0, good.output
    assert "3 subscriptions, no problems" in good.output
    assert "NEWSWATCH_SLACK_BOT_TOKEN is not set" in good.output
    broken = tmp_path / "subs.yaml"
    broken.write_text(
        MINIMAL.replace("desk@example.org", "nobody") + "    match: {actors: [XYZ]}\n"
    )
    bad = runner.invoke(cli(), ["subscriptions", "check", str(broken)])
    assert bad.exit_code == 2
    assert f"{broken}:4: not an email address: 'nobody'" in bad.output
    assert "unknown actor 'XYZ': not in the watchlist" in bad.output
    assert runner.invoke(cli(), ["subscriptions", "check"]).exit_code == 2
