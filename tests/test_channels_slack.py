"""The Slack channel against a local HTTP server: Block Kit content, escaping of article text, the
limits of a grouped message, and how webhook and Web API failures are classified."""

from __future__ import annotations

import json
from ipaddress import ip_network
from typing import Any

import pytest

from alerts.channels import (
    DeliveryError,
    SlackBotTarget,
    SlackWebhookTarget,
    deliver,
    slack_blocks,
)
from alerts.message import AlertMessage
from alerts.outgoing import alert_outgoing
from extractors.http import HttpPolicy
from tests.alert_samples import alert_item, alert_message, alert_source
from tests.support.webserver import LocalWebServer, Route

LOOPBACK_ALLOWED = HttpPolicy(allowed_networks=(ip_network("127.0.0.0/8"),))
HOOK_PATH = "/services/T000/B000/hook-secret-part"
TOKEN = "xoxb-test-token-123"


def post_to_webhook(web: LocalWebServer, route: Route, message: AlertMessage | None = None) -> Any:
    """Deliver through an incoming webhook answering `route`; the JSON payload the server got."""
    url = web.add(HOOK_PATH, route)
    deliver(
        alert_outgoing(message or alert_message()),
        SlackWebhookTarget(url),
        smtp=None,
        http=LOOPBACK_ALLOWED,
    )
    return json.loads(web.hits(HOOK_PATH)[-1].body)


def delivery_failure(web: LocalWebServer, route: Route) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        post_to_webhook(web, route)
    return caught.value


def texts(payload: Any) -> list[str]:
    """Every text Slack will render in a payload, the fallback included."""
    found = [payload["text"]]
    for block in payload["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found.extend(element["text"] for element in block.get("elements", []))
    return found


def test_webhook_payload_carries_the_incident(web: LocalWebServer) -> None:
    payload = post_to_webhook(web, Route(body=b"ok", content_type="text/plain"))

    request = web.hits(HOOK_PATH)[0]
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert payload["text"] == "Troop deployment: North Korea → Russia"
    assert payload["unfurl_links"] is False
    header, _divider, summary, evidence, outlets = payload["blocks"]
    assert header["text"] == {
        "type": "plain_text",
        "text": "Troop deployment: North Korea → Russia",
    }
    assert summary["text"]["text"] == (
        "*Troop deployment* · North Korea (PRK, source) → Russia (RUS, target)\n"
        "future (planned or announced) · confidence 82% (high)"
    )
    assert evidence["text"]["text"].startswith(">The ministry said a second group of engineers")
    first_outlet = outlets["elements"][0]["text"]
    assert first_outlet == (
        "<https://news.example.org/2025/03/engineers|"
        "Engineers leave for the front, ministry says> · Example Herald"
    )


def test_mentions_in_article_text_are_escaped(web: LocalWebServer) -> None:
    source = alert_source(title="<!channel> Breaking: <@U024BE7LH> & co", outlet="<!here>")
    item = alert_item(sources=(source,), evidence="They told <!everyone> about it.")

    payload = post_to_webhook(web, Route(body=b"ok"), alert_message(item))

    rendered = "\n".join(texts(payload))
    assert "<!channel>" not in rendered
    assert "<!here>" not in rendered
    assert "<!everyone>" not in rendered
    assert "<@U024BE7LH>" not in rendered
    assert "|&lt;!channel&gt; Breaking: &lt;@U024BE7LH&gt; &amp; co> · &lt;!here&gt;" in rendered
    assert ">They told &lt;!everyone&gt; about it." in rendered


@pytest.mark.parametrize("url", ["javascript:alert(1)", "!channel", "https://x.example/a|b>c"])
def test_unsafe_article_url_is_not_linked(url: str) -> None:
    item = alert_item(sources=(alert_source(title="Report", url=url),))

    outlets = slack_blocks(alert_message(item))["blocks"]
    assert isinstance(outlets, list)
    assert outlets[-1]["elements"][0]["text"] == "Report · Example Herald"


def test_grouped_message_stays_within_slack_limits() -> None:
    ampersands = alert_source(url="https://news.example.org/?" + "&" * 1900)
    sources = (ampersands, *(alert_source(title="<" * 400, outlet=f"N{n}") for n in range(24)))
    items = [alert_item(incident_id=n, sources=sources, evidence="<" * 5000) for n in range(30)]

    payload = slack_blocks(alert_message(*items))

    blocks = payload["blocks"]
    assert isinstance(blocks, list)
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= 150
    assert blocks[-1]["elements"][0]["text"] == "…and 18 more incidents not shown here"
    assert all(len(block.get("elements", [])) <= 10 for block in blocks)
    assert max(len(text) for text in texts(payload)) <= 3000
    assert "+17 more outlets" in texts(payload)


def test_update_says_why(web: LocalWebServer) -> None:
    item = alert_item(update_reason="2 more outlets report it")

    payload = post_to_webhook(web, Route(body=b"ok"), alert_message(item))

    assert payload["text"] == "Update: Troop deployment: North Korea → Russia"
    assert payload["blocks"][2]["text"]["text"].endswith("\n_Update: 2 more outlets report it_")


def test_rate_limit_honours_retry_after(web: LocalWebServer) -> None:
    error = delivery_failure(web, Route(status=429, headers={"Retry-After": "30"}))

    assert error.retry_after == 30
    assert not error.permanent


def test_server_error_is_retryable(web: LocalWebServer) -> None:
    error = delivery_failure(web, Route(status=500, body=b"rollup_error"))

    assert not error.permanent
    assert error.retry_after is None


def test_missing_webhook_is_permanent_and_hides_the_url(web: LocalWebServer) -> None:
    error = delivery_failure(web, Route(status=404, body=b"no_service"))

    assert error.permanent
    assert "hook-secret-part" not in str(error)


def test_bot_posts_with_its_token_to_the_channel(web: LocalWebServer) -> None:
    web.add("/api/chat.postMessage", Route(body=b'{"ok": true, "ts": "1.2"}'))
    target = SlackBotTarget(token=TOKEN, channel="C0KOREA", api_base=web.url("/api"))

    deliver(alert_outgoing(alert_message()), target, smtp=None, http=LOOPBACK_ALLOWED)

    request = web.hits("/api/chat.postMessage")[0]
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    payload = json.loads(request.body)
    assert payload["channel"] == "C0KOREA"
    assert payload["text"] == "Troop deployment: North Korea → Russia"


@pytest.mark.parametrize(
    ("answer", "headers", "permanent", "retry_after"),
    [
        ({"ok": False, "error": "invalid_auth"}, {}, True, None),
        ({"ok": False, "error": "channel_not_found"}, {}, True, None),
        ({"ok": False, "error": "ratelimited"}, {"Retry-After": "7"}, False, 7),
    ],
)
def test_bot_api_errors_are_classified(
    web: LocalWebServer,
    answer: dict[str, object],
    headers: dict[str, str],
    permanent: bool,
    retry_after: float | None,
) -> None:
    body = json.dumps(answer).encode()
    web.add("/api/chat.postMessage", Route(body=body, headers=headers))
    target = SlackBotTarget(token=TOKEN, channel="C0KOREA", api_base=web.url("/api"))

    with pytest.raises(DeliveryError) as caught:
        deliver(alert_outgoing(alert_message()), target, smtp=None, http=LOOPBACK_ALLOWED)

    assert caught.value.permanent is permanent
    assert caught.value.retry_after == retry_after
    assert str(answer["error"]) in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_targets_do_not_show_their_secrets() -> None:
    shown = repr(SlackWebhookTarget(url=f"https://hooks.slack.com{HOOK_PATH}"))
    shown += repr(SlackBotTarget(token=TOKEN, channel="C0KOREA"))

    assert "hook-secret-part" not in shown
    assert TOKEN not in shown
