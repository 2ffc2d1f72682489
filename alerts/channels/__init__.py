"""Delivery channels: email (SMTP), Slack (incoming webhook or bot) and a signed JSON webhook.
`deliver` returns once the channel accepted the message and raises `DeliveryError` otherwise."""

from __future__ import annotations

from typing import assert_never

from alerts.channels.content import InlineImage, MailContent, Outgoing
from alerts.channels.email import build_email, message_id, send_email
from alerts.channels.errors import DeliveryError
from alerts.channels.slack import send_slack_bot, send_slack_webhook
from alerts.channels.targets import (
    EmailTarget,
    SlackBotTarget,
    SlackWebhookTarget,
    SmtpSettings,
    Target,
    WebhookTarget,
)
from alerts.channels.webhook import send_webhook, signature, webhook_payload
from alerts.render import slack_blocks
from extractors.http import HttpPolicy

__all__ = [
    "DeliveryError",
    "EmailTarget",
    "InlineImage",
    "MailContent",
    "Outgoing",
    "SlackBotTarget",
    "SlackWebhookTarget",
    "SmtpSettings",
    "Target",
    "WebhookTarget",
    "build_email",
    "deliver",
    "message_id",
    "signature",
    "slack_blocks",
    "webhook_payload",
]


def deliver(
    message: Outgoing, target: Target, *, smtp: SmtpSettings | None, http: HttpPolicy
) -> None:
    """Send `message` to `target`. Synchronous: call it from plain code, not inside an event loop.
    Raises `DeliveryError`; its `permanent` and `retry_after` say whether and when to retry."""
    match target:
        case EmailTarget():
            send_email(message, target, smtp)
        case SlackWebhookTarget():
            send_slack_webhook(message, target, http)
        case SlackBotTarget():
            send_slack_bot(message, target, http)
        case WebhookTarget():
            send_webhook(message, target, http)
        case _:
            assert_never(target)
