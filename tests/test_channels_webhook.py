"""The generic webhook channel against a local HTTP server: the JSON contract, the HMAC signature a
receiver verifies, and how failures, redirects and private destinations are handled."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from ipaddress import ip_network

import pytest

from alerts.channels import DeliveryError, WebhookTarget, deliver, webhook_payload
from alerts.outgoing import alert_outgoing
from extractors.http import HttpPolicy
from tests.alert_samples import alert_message
from tests.support.webserver import LocalWebServer, Route

LOOPBACK_ALLOWED = HttpPolicy(allowed_networks=(ip_network("127.0.0.0/8"),))
SECRET = "shared-webhook-secret"


def post_alert(web: LocalWebServer, route: Route, *, secret: str | None = SECRET) -> None:
    url = web.add("/hooks/newswatch", route)
    deliver(
        alert_outgoing(alert_message()),
        WebhookTarget(url, secret),
        smtp=None,
        http=LOOPBACK_ALLOWED,
    )


def test_payload_is_signed_with_hmac_sha256(web: LocalWebServer) -> None:
    post_alert(web, Route(status=204))

    request = web.hits("/hooks/newswatch")[0]
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["x-newswatch-signature"], f"sha256={expected}")
    assert abs(int(request.headers["x-newswatch-timestamp"]) - time.time()) < 60
    assert request.headers["x-newswatch-idempotency-key"] == "watch-prk:incident-1:v1"
    assert request.headers["content-type"] == "application/json; charset=utf-8"


def test_payload_carries_the_contract_fields(web: LocalWebServer) -> None:
    post_alert(web, Route(body=b'{"received": true}', content_type="application/json"))

    payload = json.loads(web.hits("/hooks/newswatch")[0].body)
    assert payload["idempotency_key"] == "watch-prk:incident-1:v1"
    assert payload["subscription"] == "korea-desk"
    (item,) = payload["items"]
    assert item["type"] == "troop_deployment"
    assert item["modality"] == "future"
    assert item["confidence"] == 0.82
    assert item["actors"] == [
        {"id": "PRK", "name": "North Korea", "role": "source"},
        {"id": "RUS", "name": "Russia", "role": "target"},
    ]
    assert item["evidence"].startswith("The ministry said")
    assert item["sources"][0]["url"] == "https://news.example.org/2025/03/engineers"
    assert item["sources"][0]["published_at"] == "2025-03-04T09:30:00+00:00"


def test_same_message_gives_the_same_body() -> None:
    assert webhook_payload(alert_message()) == webhook_payload(alert_message())


def test_no_signature_without_a_secret(web: LocalWebServer) -> None:
    post_alert(web, Route(status=200), secret=None)

    assert "x-newswatch-signature" not in web.hits("/hooks/newswatch")[0].headers


@pytest.mark.parametrize(
    ("status", "headers", "permanent", "retry_after"),
    [
        (429, {"Retry-After": "30"}, False, 30),
        (500, {}, False, None),
        (503, {"Retry-After": "5"}, False, 5),
        (404, {}, True, None),
        (401, {}, True, None),
    ],
)
def test_failures_are_classified(
    web: LocalWebServer,
    status: int,
    headers: dict[str, str],
    permanent: bool,
    retry_after: float | None,
) -> None:
    with pytest.raises(DeliveryError) as caught:
        post_alert(web, Route(status=status, headers=headers))

    assert caught.value.permanent is permanent
    assert caught.value.retry_after == retry_after
    assert f"HTTP {status}" in str(caught.value)


def test_redirect_is_not_followed(web: LocalWebServer) -> None:
    elsewhere = web.add("/elsewhere", Route(status=200))

    with pytest.raises(DeliveryError) as caught:
        post_alert(web, Route(status=307, headers={"Location": elsewhere}))

    assert caught.value.permanent
    assert web.hits("/elsewhere") == []


def test_private_destination_is_refused(web: LocalWebServer) -> None:
    url = web.add("/hooks/newswatch", Route(status=200))

    with pytest.raises(DeliveryError) as caught:
        deliver(
            alert_outgoing(alert_message()),
            WebhookTarget(url, SECRET),
            smtp=None,
            http=HttpPolicy(),
        )

    assert caught.value.permanent
    assert "loopback" in str(caught.value)
    assert web.requests == []
