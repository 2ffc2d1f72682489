"""Where a delivery goes: SMTP settings and one dataclass per kind of target. Secrets (password,
webhook URLs, token, signing secret) are left out of `repr`, so logging a target cannot leak
them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class SmtpSettings:
    """`security`: "starttls" (upgrade, refuse to go on without it), "ssl" (implicit TLS) or "none".
    The password is resolved from the environment by the caller."""

    host: str
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "newswatch <alerts@newswatch.invalid>"
    timeout: float = 20.0


@dataclass(frozen=True)
class EmailTarget:
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class SlackWebhookTarget:
    """A Slack incoming webhook; its URL is the credential."""

    url: str = field(repr=False)


@dataclass(frozen=True)
class SlackBotTarget:
    """`chat.postMessage` with a bot token; `api_base` is overridden by the tests."""

    token: str = field(repr=False)
    channel: str
    api_base: str = "https://slack.com/api"


@dataclass(frozen=True)
class WebhookTarget:
    """A generic JSON webhook; with a `secret`, each body is signed with HMAC-SHA256."""

    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)


Target = EmailTarget | SlackWebhookTarget | SlackBotTarget | WebhookTarget
