"""One POST through the safe HTTP client for the Slack and webhook channels, its failures turned
into `DeliveryError`s that say whether a retry can help."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import httpx

from alerts.channels.errors import DeliveryError
from extractors.errors import DestinationRefused, FetchError, HttpStatusError
from extractors.http import Fetcher, FetchResult, HttpPolicy

# Statuses after which the same request may succeed later; every other 4xx (and an unfollowed
# 3xx) means the target is misconfigured, so retrying would only repeat the refusal.
_RETRYABLE_STATUSES = frozenset({408, 425, 429})


def post(
    url: str, body: bytes, headers: Mapping[str, str], *, http: HttpPolicy, channel: str
) -> FetchResult:
    """POST once and return the 2xx answer; raises `DeliveryError`. Call from synchronous code."""

    async def send() -> FetchResult:
        async with Fetcher(http) as fetcher:
            return await fetcher.post(url, body=body, headers=headers)

    try:
        return asyncio.run(send())
    except FetchError as error:
        # `from None`: the chained error carries the URL, which is a credential for Slack webhooks.
        raise delivery_error(error, channel=channel, url=url) from None


def delivery_error(error: FetchError, *, channel: str, url: str) -> DeliveryError:
    """The `DeliveryError` for a failed POST, its message free of the URL's path and query."""
    reason = redact(str(error), url)
    if isinstance(error, HttpStatusError):
        retryable = error.status in _RETRYABLE_STATUSES or error.status >= 500
        return DeliveryError(
            f"{channel}: {reason}", retry_after=error.retry_after, permanent=not retryable
        )
    # A refused destination stays refused; timeouts and broken connections may not.
    permanent = isinstance(error, DestinationRefused)
    return DeliveryError(f"{channel}: {reason}", permanent=permanent)


def redact(text: str, url: str) -> str:
    """`text` with `url` shortened to its scheme and host: paths and queries hold tokens."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        origin = "<invalid URL>"
    else:
        origin = f"{parsed.scheme}://{parsed.host}/..." if parsed.host else "<URL>"
    # Error messages quote a bad URL with repr(), which escapes some characters.
    for shown in (url, repr(url)[1:-1]):
        text = text.replace(shown, origin)
    return text
