"""Alerts and digests made ready for any channel: each `Outgoing` renders the email, the Slack
payload or the webhook JSON when a channel of that kind asks for it."""

from __future__ import annotations

from alerts.channels import InlineImage, MailContent, Outgoing
from alerts.channels.webhook import webhook_payload
from alerts.chart import chart_png
from alerts.digest import Digest
from alerts.digest_render import (
    CHART_CID,
    digest_html,
    digest_json,
    digest_slack,
    digest_subject,
    digest_text,
)
from alerts.message import AlertMessage
from alerts.render import headline, render_email, slack_blocks


def alert_outgoing(message: AlertMessage) -> Outgoing:
    def mail() -> MailContent:
        text, html = render_email(message)
        return MailContent(headline(message), text, html)

    return Outgoing(
        idempotency_key=message.idempotency_key,
        created_at=message.created_at,
        mail=mail,
        slack=lambda: slack_blocks(message),
        json=lambda: webhook_payload(message),
    )


def digest_outgoing(digest: Digest, idempotency_key: str) -> Outgoing:
    """The digest for every channel; the email shows its chart inline (`cid:`)."""

    def mail() -> MailContent:
        chart = InlineImage(CHART_CID, chart_png(digest.period, digest.per_day), "chart.png")
        html = digest_html(digest, chart_src=f"cid:{CHART_CID}")
        return MailContent(digest_subject(digest), digest_text(digest), html, (chart,))

    return Outgoing(
        idempotency_key=idempotency_key,
        created_at=digest.generated_at,
        mail=mail,
        slack=lambda: digest_slack(digest),
        json=lambda: digest_json(digest, idempotency_key=idempotency_key),
    )
