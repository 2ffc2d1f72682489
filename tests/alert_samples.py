"""Small alert messages for the channel tests; each test swaps in the hostile text it needs."""

from __future__ import annotations

from datetime import UTC, datetime

from alerts.message import AlertActor, AlertItem, AlertMessage, AlertSource

SEEN = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def alert_source(
    title: str = "Engineers leave for the front, ministry says",
    url: str = "https://news.example.org/2025/03/engineers",
    outlet: str = "Example Herald",
) -> AlertSource:
    return AlertSource(outlet=outlet, title=title, url=url, published_at=SEEN)


def alert_item(
    *,
    sources: tuple[AlertSource, ...] | None = None,
    evidence: str = "The ministry said a second group of engineers would travel next week.",
    actor_name: str = "North Korea",
    incident_id: int = 1,
    update_reason: str | None = None,
) -> AlertItem:
    return AlertItem(
        incident_id=incident_id,
        event_type="troop_deployment",
        modality="future",
        confidence=0.82,
        actors=(
            AlertActor(id="PRK", name=actor_name, role="source"),
            AlertActor(id="RUS", name="Russia", role="target"),
        ),
        evidence=evidence,
        sources=sources if sources is not None else (alert_source(),),
        first_seen=SEEN,
        last_seen=SEEN,
        update_reason=update_reason,
    )


def alert_message(
    *items: AlertItem, key: str = "watch-prk:incident-1:v1", subscription: str = "korea-desk"
) -> AlertMessage:
    return AlertMessage(
        idempotency_key=key,
        subscription=subscription,
        items=items or (alert_item(),),
        created_at=SEEN,
    )
