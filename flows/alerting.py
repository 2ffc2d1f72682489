"""Alerting wired to the settings: the delivery pass's channel settings and limits, and one pass
over the outbox, shared by the notify command, the notify flow and the demo."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from alerts.channels import SmtpSettings
from alerts.notify import NotifyConfig, NotifySummary, RetryPolicy, notify_pass
from flows.pipeline import http_policy
from flows.runs import recorded_run
from flows.settings import Settings
from storage.db import make_engine, require_current_schema


def smtp_settings(settings: Settings) -> SmtpSettings | None:
    """The SMTP server for email alerts; None when no host is set (email deliveries then fail)."""
    if settings.smtp_host is None:
        return None
    password = settings.smtp_password
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,
        username=settings.smtp_username,
        password=password.get_secret_value() if password is not None else None,
        sender=settings.smtp_sender,
        timeout=settings.smtp_timeout,
    )


def notify_config(settings: Settings, environ: Mapping[str, str]) -> NotifyConfig:
    """Channel settings and limits; `environ` holds the secrets that subscriptions name."""
    return NotifyConfig(
        smtp=smtp_settings(settings),
        http=http_policy(settings),
        environ=environ,
        retry=RetryPolicy(max_attempts=settings.notify_max_attempts),
        batch_size=settings.notify_batch_size,
        lease=timedelta(seconds=settings.notify_lease_s),
    )


def run_notify(settings: Settings, environ: Mapping[str, str]) -> NotifySummary:
    """One delivery pass over the due outbox rows of the configured database."""
    engine = make_engine(settings.database_url)
    try:
        require_current_schema(engine)
        with recorded_run(engine, "notify") as note:
            summary = notify_pass(engine, notify_config(settings, environ))
            note.detail = f"{summary.sent} sent, {summary.retrying} to retry, {summary.dead} dead"
    finally:
        engine.dispose()
    return summary
