"""Where a subscription's alerts go: channel specs read from the YAML, which name secrets by
environment variable only, and their stable, secret-free keys."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from extractors.events.yamlsrc import Node, Source

CHANNEL_KINDS = ("email", "slack_webhook", "slack_bot", "webhook")
_ENV_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EMAIL_RE = re.compile(r"[^@\s<>,]+@[^@\s<>,]+\.[^@\s<>,]+")
# Per channel kind: the fields it takes, and the inline secrets refused with the field to use.
_CHANNEL_FIELDS = {
    "slack_webhook": frozenset({"url_env"}),
    "slack_bot": frozenset({"token_env", "channel"}),
    "webhook": frozenset({"url", "url_env", "secret_env"}),
}
_INLINE_SECRETS = {
    "slack_webhook": {"url": "url_env"},
    "slack_bot": {"token": "token_env"},
    "webhook": {"secret": "secret_env"},
}


@dataclass(frozen=True)
class ChannelSpec:
    """One destination of a subscription, as written in the YAML: secrets appear as variable names.

    email: `recipients`; slack_webhook: `url_env`; slack_bot: `token_env` + `channel`;
    webhook: `url` or `url_env`, and optionally `secret_env` (signs the body).
    """

    kind: str
    recipients: tuple[str, ...] = ()
    url: str | None = None
    url_env: str | None = None
    token_env: str | None = None
    channel: str | None = None
    secret_env: str | None = None

    @property
    def key(self) -> str:
        """A stable, secret-free name of this destination: groups and idempotency keys use it."""
        if self.kind == "email":
            parts = sorted(self.recipients)
        else:
            parts = [f"{name}={value}" for name, value in self.to_json().items() if name != "kind"]
        return f"{self.kind}:{','.join(parts)}"

    def to_json(self) -> dict[str, object]:
        return {name: value for name, value in asdict(self).items() if value not in (None, ())}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChannelSpec:
        return cls(**{**data, "recipients": tuple(data.get("recipients", ()))})

    def env_names(self) -> tuple[str, ...]:
        """The environment variables this channel reads when it delivers."""
        return tuple(n for n in (self.url_env, self.token_env, self.secret_env) if n is not None)


def parse_channel(source: Source, node: Node) -> ChannelSpec | None:
    """The channel of one `channels:` entry; problems are recorded on `source`."""
    if isinstance(node.value, dict) and len(node.value) == 1:
        ((kind, value),) = node.value.items()
        if kind not in CHANNEL_KINDS:
            source.problem(
                value.line, f"unknown channel kind '{kind}': use one of {', '.join(CHANNEL_KINDS)}"
            )
            return None
    data = source.mapping(node, "a channel", frozenset(CHANNEL_KINDS))
    if data is None:
        return None
    if len(data) != 1:
        source.problem(node.line, f"a channel has exactly one of: {', '.join(CHANNEL_KINDS)}")
        return None
    ((kind, value),) = data.items()
    if kind == "email":
        addresses = source.texts(data, "email")
        for address, at in addresses:
            if not _EMAIL_RE.fullmatch(address):
                source.problem(at, f"not an email address: {address!r}")
        if not addresses:
            source.problem(value.line, "'email' needs at least one address")
        return ChannelSpec("email", recipients=tuple(address for address, _ in addresses))
    secrets = _INLINE_SECRETS[kind]
    fields = source.mapping(value, f"'{kind}'", _CHANNEL_FIELDS[kind] | frozenset(secrets))
    if fields is None:
        return None
    for inline, instead in secrets.items():
        if inline in fields:
            source.problem(
                fields[inline].line,
                f"secrets are never written in the file: put it in an environment variable "
                f"and give its name as '{instead}'",
            )
    values = {k: source.text(fields, k, value.line, required=False) for k in _CHANNEL_FIELDS[kind]}
    spec = ChannelSpec(
        kind,
        url=values.get("url"),
        url_env=values.get("url_env"),
        token_env=values.get("token_env"),
        channel=values.get("channel"),
        secret_env=values.get("secret_env"),
    )
    for env_field in ("url_env", "token_env", "secret_env"):
        env_name = values.get(env_field)
        if env_name is not None and not _ENV_RE.fullmatch(env_name):
            line = fields[env_field].line
            source.problem(line, f"not an environment variable name: {env_name!r}")
    required = {"slack_webhook": ("url_env",), "slack_bot": ("token_env", "channel")}.get(kind, ())
    for name in required:
        if values.get(name) is None:
            source.problem(value.line, f"missing required field '{name}' in '{kind}'")
    if kind == "webhook" and (values["url"] is None) == (values["url_env"] is None):
        source.problem(value.line, "'webhook' takes exactly one of 'url' and 'url_env'")
    return spec
