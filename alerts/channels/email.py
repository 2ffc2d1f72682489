"""The email channel: a multipart text + HTML message whose Message-ID derives from the idempotency
key, sent through SMTP with STARTTLS, implicit TLS or none, and login when a username is set."""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from collections.abc import Sequence
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from alerts.channels.content import Outgoing
from alerts.channels.errors import DeliveryError
from alerts.channels.targets import EmailTarget, SmtpSettings
from alerts.render import as_utc, one_line

log = logging.getLogger(__name__)


def message_id(idempotency_key: str) -> str:
    """The same key always gives the same Message-ID, so mail systems can drop a resent copy."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@newswatch>"


def build_email(message: Outgoing, *, sender: str, recipients: Sequence[str]) -> EmailMessage:
    """The message as multipart/alternative (text, HTML with its inline images). Every header
    value is single-line; an invalid recipient raises a permanent `DeliveryError`."""
    content = message.mail()
    mail = EmailMessage()
    mail["Subject"] = one_line(f"[newswatch] {content.subject}")
    mail["From"] = one_line(sender)
    mail["To"] = ", ".join(_checked_address(recipient) for recipient in recipients)
    mail["Date"] = format_datetime(as_utc(message.created_at))
    mail["Message-ID"] = message_id(message.idempotency_key)
    mail["X-Newswatch-Idempotency-Key"] = one_line(message.idempotency_key)
    # RFC 3834: tells vacation responders and ticket systems not to answer.
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(content.text)
    mail.add_alternative(content.html, subtype="html")
    if content.images:
        html_part = next(p for p in mail.iter_parts() if p.get_content_type() == "text/html")
        assert isinstance(html_part, EmailMessage)
        for image in content.images:
            # multipart/related around the HTML: mail clients show the image in place, not attached.
            html_part.add_related(
                image.data,
                maintype="image",
                subtype="png",
                cid=f"<{image.cid}>",
                filename=image.filename,
                disposition="inline",
            )
    return mail


def _checked_address(address: str) -> str:
    """`address` if it is one bare addr-spec (no display name, no second address, no line break)."""
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, HeaderParseError, IndexError):
        parsed = None
    if parsed is None or not parsed.domain or one_line(address) != address:
        raise DeliveryError(f"email: invalid recipient address {address!r}", permanent=True)
    return parsed.addr_spec


def send_email(message: Outgoing, target: EmailTarget, smtp: SmtpSettings | None) -> None:
    """Send through `smtp`; returns once the server accepted the message for at least one
    recipient. Raises `DeliveryError` (permanent on 5xx answers and configuration errors)."""
    if smtp is None:
        raise DeliveryError("email: no SMTP server configured", permanent=True)
    if not target.recipients:
        raise DeliveryError("email: no recipients", permanent=True)
    mail = build_email(message, sender=smtp.sender, recipients=target.recipients)
    try:
        with _connect(smtp) as client:
            if smtp.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            refused = client.send_message(mail)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _reply in error.recipients.values()]
        raise DeliveryError(
            f"email: every recipient refused (SMTP {', '.join(map(str, codes))})",
            permanent=all(code >= 500 for code in codes),
        ) from error
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(
            f"email: {smtp.host} answered {error.smtp_code} {_reply_text(error.smtp_error)}",
            permanent=error.smtp_code >= 500,
        ) from error
    except smtplib.SMTPNotSupportedError as error:
        # The server offers no STARTTLS or no AUTH: going on would send in clear or unauthenticated.
        raise DeliveryError(f"email: {smtp.host}: {error}", permanent=True) from error
    except (smtplib.SMTPException, OSError) as error:
        reason = str(error) or type(error).__name__
        raise DeliveryError(f"email: {smtp.host}:{smtp.port}: {reason}") from error
    if refused:
        log.warning(
            "message %s: %d of %d recipients refused",
            message.idempotency_key,
            len(refused),
            len(target.recipients),
        )


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    if smtp.security == "ssl":
        context = ssl.create_default_context()
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    return smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)


def _reply_text(reply: bytes | str) -> str:
    return one_line(reply.decode(errors="replace") if isinstance(reply, bytes) else reply)
