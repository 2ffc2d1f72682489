"""One exception hierarchy for the extractors; each message is what an operator reads in `feeds list`."""

from __future__ import annotations


class ExtractorError(Exception):
    """Base of every error raised by `extractors`. `str(error)` is a readable, single-line reason."""


class FetchError(ExtractorError):
    """A URL could not be fetched."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


class FetchTimeout(FetchError):
    """The server did not connect or answer within the configured timeout."""


class ConnectFailed(FetchError):
    """DNS failure, refused connection or broken transfer."""


class BodyTooLarge(FetchError):
    """The body (raw or decompressed) exceeded the configured maximum."""


class DestinationRefused(FetchError):
    """The URL points at an address newswatch may not reach (private, loopback, ...) or a bad scheme."""


class TooManyRedirects(FetchError):
    """The redirect chain was longer than allowed."""


class HttpStatusError(FetchError):
    """The server answered with an error status. `retry_after` is in seconds, when the server gave one."""

    def __init__(
        self, message: str, *, url: str, status: int, retry_after: float | None = None
    ) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.retry_after = retry_after


class FeedParseError(ExtractorError):
    """The body is not an RSS/Atom feed (HTML page, broken XML with no entries, ...)."""
