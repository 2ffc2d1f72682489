"""The email channel against a real aiosmtpd server: MIME structure, escaping, header safety, the
Message-ID derived from the idempotency key, TLS, login and how SMTP failures are classified."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import socket
import ssl
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from alerts.channels import DeliveryError, EmailTarget, SmtpSettings, build_email, deliver
from alerts.channels.email import message_id
from alerts.message import AlertMessage
from alerts.outgoing import alert_outgoing
from extractors.http import HttpPolicy
from tests.alert_samples import alert_item, alert_message, alert_source

ANALYSTS = EmailTarget(recipients=("desk@analysts.example.org", "duty@analysts.example.org"))
SENDER = "newswatch <alerts@newswatch.invalid>"


class Inbox:
    """An aiosmtpd handler that keeps every accepted envelope and refuses scripted recipients."""

    def __init__(self, *, refused: frozenset[str] = frozenset(), data_reply: str = "") -> None:
        self.envelopes: list[Envelope] = []
        self.over_tls: list[bool] = []
        self.refused = refused
        self.data_reply = data_reply

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.data_reply:
            return self.data_reply
        self.envelopes.append(envelope)
        self.over_tls.append(server.transport.get_extra_info("ssl_object") is not None)
        return "250 Message accepted for delivery"

    def received(self) -> EmailMessage:
        assert len(self.envelopes) == 1
        content = self.envelopes[0].content
        assert isinstance(content, bytes)
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def smtp_server(handler: Inbox, **options: Any) -> Iterator[int]:
    """A real SMTP server on 127.0.0.1; yields its port."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def deliver_to(port: int, message: AlertMessage | None = None, **settings: Any) -> None:
    """Deliver to the analysts through the server on `port`; plain SMTP unless told otherwise."""
    options: dict[str, Any] = {"security": "none", "timeout": 5.0, **settings}
    smtp = SmtpSettings(host="127.0.0.1", port=port, **options)
    deliver(alert_outgoing(message or alert_message()), ANALYSTS, smtp=smtp, http=HttpPolicy())


def check_password(
    server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    accepted = isinstance(auth_data, LoginPassword) and auth_data == (b"newswatch", b"s3cret")
    return AuthResult(success=accepted, handled=False)


@pytest.fixture(scope="module")
def tls_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newswatch test SMTP")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def server_tls(
    tls_certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> ssl.SSLContext:
    """The server's TLS context; the client trusts the certificate through SSL_CERT_FILE."""
    cert_file, key_file = tls_certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


def test_alert_arrives_as_multipart_text_and_html() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        deliver_to(port)

    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "alerts@newswatch.invalid"
    assert envelope.rcpt_tos == list(ANALYSTS.recipients)
    received = inbox.received()
    assert received.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in received.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    text = received.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert "North Korea (PRK, source) → Russia (RUS, target)" in body
    assert "future (planned or announced), confidence 82% (high)" in body
    assert "engineers would travel next week" in body
    assert "https://news.example.org/2025/03/engineers" in body
    assert received["Subject"] == "[newswatch] Troop deployment: North Korea → Russia"
    assert received["Auto-Submitted"] == "auto-generated"


def test_html_part_escapes_article_text() -> None:
    hostile = alert_source(title='"><img src=x onerror=alert(1)> <script>steal()</script>')
    evil_link = alert_source(title="Click", url="javascript:alert(1)")
    message = alert_message(
        alert_item(sources=(hostile, evil_link), evidence="A <b>bold</b> & claim")
    )
    inbox = Inbox()
    with smtp_server(inbox) as port:
        deliver_to(port, message)

    html_part = inbox.received().get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;steal()&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; claim" in html
    assert 'href="https://news.example.org/2025/03/engineers"' in html
    assert "javascript:" not in html


def test_line_breaks_in_article_text_cannot_inject_headers() -> None:
    injection = "Troops move\r\nBcc: victim@attacker.example\r\n"
    item = alert_item(sources=(alert_source(title=injection),), actor_name=injection)
    message = alert_message(item, subscription=injection, key="key\r\nBcc: victim@attacker.example")
    inbox = Inbox()
    with smtp_server(inbox) as port:
        deliver_to(port, message)

    assert inbox.envelopes[0].rcpt_tos == list(ANALYSTS.recipients)
    received = inbox.received()
    assert received["Bcc"] is None
    for name, value in received.items():
        assert "\r" not in value and "\n" not in value, name
    assert received["X-Newswatch-Idempotency-Key"] == "key Bcc: victim@attacker.example"


def test_message_id_is_derived_from_the_idempotency_key() -> None:
    message = alert_message(key="watch-prk:incident-7:v2")
    inbox = Inbox()
    with smtp_server(inbox) as port:
        deliver_to(port, message)

    received = inbox.received()
    assert received["Message-ID"] == message_id("watch-prk:incident-7:v2")
    assert received["X-Newswatch-Idempotency-Key"] == "watch-prk:incident-7:v2"
    again = build_email(alert_outgoing(message), sender=SENDER, recipients=ANALYSTS.recipients)
    assert again["Message-ID"] == received["Message-ID"]
    other = build_email(
        alert_outgoing(alert_message(key="other")), sender=SENDER, recipients=ANALYSTS.recipients
    )
    assert other["Message-ID"] != received["Message-ID"]
    assert received["Date"] == "Tue, 04 Mar 2025 09:30:00 +0000"


def test_invalid_recipient_is_a_permanent_error() -> None:
    with pytest.raises(DeliveryError) as caught:
        build_email(
            alert_outgoing(alert_message()),
            sender=SENDER,
            recipients=["desk@example.org, spy@example.org"],
        )

    assert caught.value.permanent


def test_login_with_the_right_password_delivers() -> None:
    inbox = Inbox()
    with smtp_server(inbox, authenticator=check_password, auth_require_tls=False) as port:
        deliver_to(port, username="newswatch", password="s3cret")

    assert len(inbox.envelopes) == 1


def test_refused_password_is_a_permanent_error() -> None:
    inbox = Inbox()
    with (
        smtp_server(inbox, authenticator=check_password, auth_require_tls=False) as port,
        pytest.raises(DeliveryError) as caught,
    ):
        deliver_to(port, username="newswatch", password="wrong")

    assert caught.value.permanent
    assert "535" in str(caught.value)
    assert "wrong" not in str(caught.value)
    assert inbox.envelopes == []


def test_every_recipient_refused_is_a_permanent_error() -> None:
    inbox = Inbox(refused=frozenset(ANALYSTS.recipients))
    with smtp_server(inbox) as port, pytest.raises(DeliveryError) as caught:
        deliver_to(port)

    assert caught.value.permanent


def test_one_refused_recipient_still_delivers_to_the_others() -> None:
    inbox = Inbox(refused=frozenset({ANALYSTS.recipients[0]}))
    with smtp_server(inbox) as port:
        deliver_to(port)

    assert inbox.envelopes[0].rcpt_tos == [ANALYSTS.recipients[1]]


def test_temporary_server_failure_is_retryable() -> None:
    inbox = Inbox(data_reply="451 4.3.0 try again later")
    with smtp_server(inbox) as port, pytest.raises(DeliveryError) as caught:
        deliver_to(port)

    assert not caught.value.permanent
    assert "451" in str(caught.value)


def test_server_down_is_retryable() -> None:
    with pytest.raises(DeliveryError) as caught:
        deliver_to(free_port())

    assert not caught.value.permanent


def test_missing_smtp_settings_is_a_permanent_error() -> None:
    with pytest.raises(DeliveryError) as caught:
        deliver(alert_outgoing(alert_message()), ANALYSTS, smtp=None, http=HttpPolicy())

    assert caught.value.permanent


def test_starttls_upgrades_before_login(server_tls: ssl.SSLContext) -> None:
    inbox = Inbox()
    options = {"tls_context": server_tls, "require_starttls": True, "authenticator": check_password}
    with smtp_server(inbox, **options) as port:
        deliver_to(port, security="starttls", username="newswatch", password="s3cret")

    assert inbox.over_tls == [True]


def test_server_without_starttls_is_refused_before_anything_is_sent() -> None:
    inbox = Inbox()
    with (
        smtp_server(inbox, authenticator=check_password, auth_require_tls=False) as port,
        pytest.raises(DeliveryError) as caught,
    ):
        deliver_to(port, security="starttls", username="newswatch", password="s3cret")

    assert caught.value.permanent
    assert "STARTTLS" in str(caught.value)
    assert inbox.envelopes == []


def test_implicit_tls_delivers(server_tls: ssl.SSLContext) -> None:
    inbox = Inbox()
    with smtp_server(inbox, ssl_context=server_tls) as port:
        deliver_to(port, security="ssl")

    assert inbox.over_tls == [True]


@pytest.mark.parametrize(
    ("event_type", "mark", "subject"),
    [
        ("troop_deployment", "withdrawal", "[newswatch] Troop withdrawal: North Korea → Russia"),
        ("official_visit", "phone_call", "[newswatch] Phone call: North Korea → Russia"),
        ("arrest_detention", None, "[newswatch] Arrest or detention: North Korea → Russia"),
    ],
)
def test_the_subject_names_the_kind_of_act(event_type: str, mark: str | None, subject: str) -> None:
    item = dataclasses.replace(alert_item(), event_type=event_type, mark=mark)
    email = build_email(
        alert_outgoing(alert_message(item)), sender=SENDER, recipients=ANALYSTS.recipients
    )
    assert email["Subject"] == subject
    text = email.get_body(("plain",))
    assert text is not None and subject.removeprefix("[newswatch] ") in text.get_content()
