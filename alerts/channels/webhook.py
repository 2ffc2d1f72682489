"""The generic webhook channel: the alert or digest as JSON, signed with HMAC-SHA256 when the target has a
secret, so the receiver can check it came from newswatch and deduplicate by idempotency key."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime

from alerts.channels.content import Outgoing
from alerts.channels.targets import WebhookTarget
from alerts.channels.transport import post
from alerts.message import AlertItem, AlertMessage, AlertSource
from alerts.render import as_utc, one_line
from extractors.http import HttpPolicy

SIGNATURE_HEADER = "X-Newswatch-Signature"
TIMESTAMP_HEADER = "X-Newswatch-Timestamp"
IDEMPOTENCY_HEADER = "X-Newswatch-Idempotency-Key"


def webhook_payload(message: AlertMessage) -> bytes:
    """The JSON body of an alert: the same bytes for the same message, so a retry is signed identically."""
    payload = {
        "idempotency_key": message.idempotency_key,
        "subscription": message.subscription,
        "created_at": _iso(message.created_at),
        "items": [_item(item) for item in message.items],
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(body: bytes, secret: str) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the raw body; receivers compare it in constant time."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_webhook(message: Outgoing, target: WebhookTarget, http: HttpPolicy) -> None:
    """POST the message's JSON; any 2xx means accepted."""
    body = message.json()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: str(int(time.time())),
        IDEMPOTENCY_HEADER: one_line(message.idempotency_key),
    }
    if target.secret:
        headers[SIGNATURE_HEADER] = signature(body, target.secret)
    post(target.url, body, headers, http=http, channel="webhook")


def _item(item: AlertItem) -> dict[str, object]:
    return {
        "incident_id": item.incident_id,
        "type": item.event_type,
        "mark": item.mark,
        "modality": item.modality,
        "confidence": item.confidence,
        "actors": [{"id": a.id, "name": a.name, "role": a.role} for a in item.actors],
        "evidence": item.evidence,
        "sources": [_source(source) for source in item.sources],
        "first_seen": _iso(item.first_seen),
        "last_seen": _iso(item.last_seen),
        "update_reason": item.update_reason,
    }


def _source(source: AlertSource) -> dict[str, object]:
    return {
        "outlet": source.outlet,
        "title": source.title,
        "url": source.url,
        "published_at": _iso(source.published_at) if source.published_at else None,
    }


def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat()
