"""The one typed settings object: read from `NEWSWATCH_*` environment variables, passed down explicitly."""

from __future__ import annotations

import os
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Network = IPv4Network | IPv6Network


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity, which containers and `taskset` set)."""
    return len(os.sched_getaffinity(0))


class Settings(BaseSettings):
    """Everything an operator can set; each field is `NEWSWATCH_<FIELD>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="NEWSWATCH_", extra="ignore")

    database_url: str = "sqlite:///newswatch.db"
    allowed_private_networks: Annotated[tuple[Network, ...], NoDecode] = ()
    log_format: Literal["text", "json"] = "text"
    user_agent: str = "newswatch/0.1 (news monitoring; feed and article fetcher)"
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    per_host_concurrency: int = 4
    feed_batch_size: int = Field(default=100, ge=1)
    # How often ingest runs (the schedule of `serve` and the deployments); `status` alarms after
    # three intervals without a successful run.
    ingest_interval_s: int = Field(default=600, ge=10)
    # How long a run holds the feeds it claimed; longer than a cycle takes, shorter than a crash
    # should delay the feeds' next poll.
    feed_lease_s: int = Field(default=900, ge=30)
    article_batch_size: int = Field(default=200, ge=1)
    # Processes extracting articles and detecting events (default: the cores this process may use).
    workers: int = Field(default_factory=default_workers, ge=1)
    min_poll_interval_s: int = Field(default=5 * 60, ge=1)
    max_poll_interval_s: int = Field(default=24 * 3600, ge=1)
    watchlist_path: Path | None = None
    # Alerts: the subscriptions file, the SMTP server for email alerts, the delivery pass.
    subscriptions_path: Path | None = None
    incident_window_h: float = Field(default=72.0, gt=0)
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None  # NEWSWATCH_SMTP_PASSWORD; never logged
    smtp_sender: str = "newswatch <alerts@newswatch.invalid>"
    smtp_timeout: float = 20.0
    notify_batch_size: int = Field(default=50, ge=1)
    notify_max_attempts: int = Field(default=8, ge=1)
    notify_lease_s: int = Field(default=300, ge=10)
    # The time zone of the weekly digest's schedule in `serve` (Monday 07:00 there).
    digest_timezone: str = "UTC"
    # Maintenance: article texts older than this are emptied (titles, links, events stay).
    article_text_retention_days: int = Field(default=180, ge=1)
    # Digests: an actor pair and event type unseen for this many weeks is a "first time".
    digest_lookback_weeks: int = Field(default=12, ge=1)

    @field_validator("allowed_private_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(ip_network(part.strip()) for part in value.split(",") if part.strip())
        return value
