"""What the channels send, whatever it is about (an alert, a digest): each form rendered only when
a channel of that kind asks for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML body shows through `cid:<cid>`."""

    cid: str
    data: bytes
    filename: str


@dataclass(frozen=True)
class MailContent:
    subject: str
    text: str
    html: str
    images: tuple[InlineImage, ...] = ()


@dataclass(frozen=True)
class Outgoing:
    """One message for any channel. `idempotency_key` is stable across retries: it gives the email
    its Message-ID and the webhook its idempotency header."""

    idempotency_key: str
    created_at: datetime
    mail: Callable[[], MailContent]
    slack: Callable[[], dict[str, object]]
    json: Callable[[], bytes]
