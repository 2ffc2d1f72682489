"""The Slack channel: the Block Kit message posted to an incoming webhook or through
`chat.postMessage` with a bot token. Rate limits honour Retry-After; the URL and token never appear
in an error."""

from __future__ import annotations

import json

from alerts.channels.content import Outgoing
from alerts.channels.errors import DeliveryError
from alerts.channels.targets import SlackBotTarget, SlackWebhookTarget
from alerts.channels.transport import post
from extractors.http import HttpPolicy, parse_retry_after

_JSON = {"Content-Type": "application/json; charset=utf-8"}

# Web API errors after which the same call may succeed later; any other error (invalid_auth,
# channel_not_found, not_in_channel, ...) needs a person to fix the configuration.
_TRANSIENT_API_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def send_slack_webhook(message: Outgoing, target: SlackWebhookTarget, http: HttpPolicy) -> None:
    """POST the payload to an incoming webhook; any 2xx (Slack answers "ok") means accepted."""
    post(target.url, _payload(message, {}), _JSON, http=http, channel="slack webhook")


def send_slack_bot(message: Outgoing, target: SlackBotTarget, http: HttpPolicy) -> None:
    """Call `chat.postMessage`; Slack answers 200 with `{"ok": false, "error": ...}` on failure."""
    url = f"{target.api_base.rstrip('/')}/chat.postMessage"
    headers = {**_JSON, "Authorization": f"Bearer {target.token}"}
    result = post(
        url, _payload(message, {"channel": target.channel}), headers, http=http, channel="slack"
    )
    try:
        answer = json.loads(result.body)
    except ValueError:
        raise DeliveryError("slack: chat.postMessage answered with unreadable JSON") from None
    if not isinstance(answer, dict):
        raise DeliveryError("slack: chat.postMessage answered with unexpected JSON")
    if answer.get("ok") is not True:
        error = str(answer.get("error", "unknown_error"))
        raise DeliveryError(
            f"slack: chat.postMessage failed: {error}",
            retry_after=parse_retry_after(result.headers.get("retry-after")),
            permanent=error not in _TRANSIENT_API_ERRORS,
        )


def _payload(message: Outgoing, extra: dict[str, object]) -> bytes:
    # Without unfurling, a message with several outlets stays compact.
    payload = {**extra, **message.slack(), "unfurl_links": False, "unfurl_media": False}
    return json.dumps(payload, ensure_ascii=False).encode()
