"""The one error a channel raises: the message was not accepted, and whether retrying can help."""

from __future__ import annotations


class DeliveryError(Exception):
    """The channel did not accept the message. `retry_after` (s) when the service asked; `permanent`
    when retrying cannot help (401/403/404, invalid address). The message never contains secrets."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent
