"""The one safe HTTP client of newswatch: timeouts, body limits (also after decompression),
conditional GET, redirects re-checked hop by hop, no private destinations unless allowed, polite
per-host concurrency; POST (for webhooks) under the same checks, never redirected."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

import httpcore
import httpx

from extractors.errors import (
    BodyTooLarge,
    ConnectFailed,
    DestinationRefused,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    TooManyRedirects,
)

IPAddress = IPv4Address | IPv6Address
AllowedNetworks = tuple[IPv4Network | IPv6Network, ...]

# One httpx client slows down badly with many requests in flight, so hosts are spread over a few
# clients and each client gets no more requests than it has connections (its pool never queues).
_CLIENTS = 8
_CONNECTIONS_PER_CLIENT = 10
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Checked in this order so the message names the most telling kind (127.0.0.1 is also "private").
_FORBIDDEN_KINDS = (
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_unspecified", "unspecified"),
    ("is_private", "private"),
    ("is_reserved", "reserved"),
)


@dataclass(frozen=True)
class HttpPolicy:
    """Limits for every request; `allowed_networks` opens private ranges (the tests: loopback)."""

    user_agent: str = "newswatch/0.1 (news monitoring; feed and article fetcher)"
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    per_host_concurrency: int = 4
    allowed_networks: AllowedNetworks = ()
    # A server trickling bytes just under the read timeout could hold a request open for hours.
    total_timeout: float = 60.0


@dataclass(frozen=True)
class FetchResult:
    """A 2xx or 304 answer. `body` is decompressed; on a 304 that omits its validators, `etag` and
    `last_modified` repeat the ones sent, so callers can store them unconditionally."""

    url: str
    final_url: str
    status: int
    body: bytes
    headers: Mapping[str, str]
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """Async; use as `async with Fetcher(policy) as fetcher:`."""

    def __init__(self, policy: HttpPolicy) -> None:
        self._policy = policy
        backend = _GuardedBackend(policy.allowed_networks)
        tls = httpx.create_ssl_context(trust_env=False)
        timeout = httpx.Timeout(
            connect=policy.connect_timeout,
            read=policy.read_timeout,
            write=policy.read_timeout,
            pool=policy.connect_timeout,
        )
        headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"}
        self._lanes = tuple(
            _Lane(
                httpx.AsyncClient(
                    transport=_guarded_transport(backend, tls),
                    timeout=timeout,
                    headers=headers,
                    trust_env=False,
                ),
                asyncio.Semaphore(_CONNECTIONS_PER_CLIENT),
            )
            for _ in range(_CLIENTS)
        )
        self._host_gates: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(lane.client.aclose() for lane in self._lanes))

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET `url`, following redirects; raises a `FetchError` subclass unless 2xx or 304."""
        headers = _request_headers(etag, last_modified, accept)
        target = _checked_url(url, url=url)
        limit = self._policy.total_timeout
        try:
            # The clock starts when the first hop gets its connection slot (see `_exchange`):
            # waiting behind other feeds of the same host is not this request taking long.
            async with asyncio.timeout(None) as deadline:
                for _hop in range(self._policy.max_redirects + 1):
                    outcome = await self._get(target, headers, url, deadline)
                    if isinstance(outcome, FetchResult):
                        return outcome
                    target = outcome
        except TimeoutError as error:
            raise FetchTimeout(f"took longer than {limit:.1f} s in all", url=url) from error
        raise TooManyRedirects(f"more than {self._policy.max_redirects} redirects", url=url)

    async def fetch_many(self, urls: Sequence[str]) -> list[FetchResult | FetchError]:
        """Fetch concurrently (within the per-host limit); each URL's result or error, in order."""
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self.fetch_or_error(url)) for url in urls]
        return [task.result() for task in tasks]

    async def fetch_or_error(self, url: str) -> FetchResult | FetchError:
        """GET `url`; the result, or the `FetchError` that stopped it, returned rather than raised."""
        try:
            return await self.fetch(url)
        except FetchError as error:
            return error

    async def post(self, url: str, *, body: bytes, headers: Mapping[str, str]) -> FetchResult:
        """POST `body` to `url` once, with the destination checks, timeouts and response limits of
        `fetch`. Redirects are not followed (a 3xx raises `HttpStatusError` like any non-2xx)."""
        target = _checked_url(url, url=url)
        async with self._exchange("POST", target, headers, url, body) as response:
            return await self._accepted(response, url, headers)

    async def _get(
        self, target: httpx.URL, headers: Mapping[str, str], url: str, deadline: asyncio.Timeout
    ) -> FetchResult | httpx.URL:
        """One request: the result, or the next URL when the answer is a redirect."""
        async with self._exchange("GET", target, headers, url, deadline=deadline) as response:
            location = response.headers.get("location")
            if response.status_code in _REDIRECT_STATUSES and location:
                return _checked_url(location, url=url, base=response.url)
            return await self._accepted(response, url, headers)

    @contextlib.asynccontextmanager
    async def _exchange(
        self,
        method: str,
        target: httpx.URL,
        headers: Mapping[str, str],
        url: str,
        body: bytes | None = None,
        *,
        deadline: asyncio.Timeout | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """The streamed response, within the host and lane limits; failures become `FetchError`s.
        An unset `deadline` is set to the total timeout once the host and lane slots are held."""
        host = target.host
        lane = self._lanes[zlib.crc32(host.encode()) % len(self._lanes)]
        host_gate = self._host_gates.setdefault(
            host, asyncio.Semaphore(self._policy.per_host_concurrency)
        )
        with _translated_errors(url, host, self._policy):
            async with host_gate, lane.gate:
                if deadline is not None and deadline.when() is None:
                    now = asyncio.get_running_loop().time()
                    deadline.reschedule(now + self._policy.total_timeout)
                async with lane.client.stream(
                    method, target, headers=headers, content=body
                ) as response:
                    yield response

    async def _accepted(
        self, response: httpx.Response, url: str, sent: Mapping[str, str]
    ) -> FetchResult:
        """The result of a 2xx or 304 answer; any other status raises `HttpStatusError`."""
        if response.status_code == 304:
            return _result(url, response, b"", sent)
        if response.is_success:
            body = await _read_body(response, self._policy.max_body_bytes, url)
            return _result(url, response, body, sent)
        raise _status_error(response, url)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except ValueError:
        return None
    return max(0.0, (_as_utc(when) - _as_utc(now or datetime.now(UTC))).total_seconds())


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Lane:
    client: httpx.AsyncClient
    gate: asyncio.Semaphore


class _RefusedAddress(Exception):
    """Raised inside the connection pool, where the URL is unknown; `fetch` adds it."""


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves host names itself and connects only to addresses the policy allows, so the address
    checked is the address connected to: DNS rebinding cannot slip a private address in between."""

    def __init__(self, allowed: AllowedNetworks) -> None:
        self._allowed = allowed
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await _resolve(host, port)
                _check_destination(host, addresses, self._allowed)
                return await self._connect_first(addresses, port, local_address, socket_options)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"connecting to {host} timed out") from exc

    async def _connect_first(
        self,
        addresses: list[IPAddress],
        port: int,
        local_address: str | None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None,
    ) -> httpcore.AsyncNetworkStream:
        failure = httpcore.ConnectError("no address to connect to")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise httpcore.ConnectError("host name not found") from exc
    return list(dict.fromkeys(ip_address(info[4][0]) for info in infos))


def _check_destination(host: str, addresses: list[IPAddress], allowed: AllowedNetworks) -> None:
    """Refuse the host if ANY of its addresses is forbidden: the connection could land on any."""
    for address in addresses:
        kind = _forbidden_kind(address, allowed)
        if kind is not None:
            detail = f"{kind} address" if _is_ip_literal(host) else f"{address}, {kind} address"
            raise _RefusedAddress(f"refused destination {host} ({detail})")


def _is_ip_literal(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def _forbidden_kind(address: IPAddress, allowed: AllowedNetworks) -> str | None:
    """Why `address` may not be reached, or None when it may."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:10.0.0.1 reaches 10.0.0.1
    if any(address in network for network in allowed):
        return None
    for attribute, kind in _FORBIDDEN_KINDS:
        if getattr(address, attribute):
            return kind
    return None if address.is_global else "non-public"


def _guarded_transport(backend: _GuardedBackend, tls: ssl.SSLContext) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(verify=tls, trust_env=False)
    # httpx has no parameter for the network backend: swap in a pool that connects through ours.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=tls,
        max_connections=_CONNECTIONS_PER_CLIENT,
        max_keepalive_connections=_CONNECTIONS_PER_CLIENT,
        network_backend=backend,
    )
    return transport


def _request_headers(
    etag: str | None, last_modified: str | None, accept: str | None
) -> dict[str, str]:
    wanted = {"if-none-match": etag, "if-modified-since": last_modified, "accept": accept}
    return {name: value for name, value in wanted.items() if value}


def _checked_url(raw: str, *, url: str, base: httpx.URL | None = None) -> httpx.URL:
    """`raw` (resolved against `base` for a redirect) if it is an http(s) URL with a host."""
    try:
        target = base.join(raw) if base else httpx.URL(raw)
    except httpx.InvalidURL as exc:
        raise DestinationRefused(f"invalid URL {raw!r}: {exc}", url=url) from exc
    if target.scheme not in ("http", "https"):
        scheme = target.scheme or "(none)"
        raise DestinationRefused(f"refused scheme {scheme}: only http and https", url=url)
    if not target.host:
        raise DestinationRefused(f"invalid URL {raw!r}: no host", url=url)
    return target


@contextlib.contextmanager
def _translated_errors(url: str, host: str, policy: HttpPolicy) -> Iterator[None]:
    """Turn transport failures into the `FetchError` an operator reads."""
    try:
        yield
    except _RefusedAddress as exc:
        raise DestinationRefused(str(exc), url=url) from None
    except httpx.ConnectTimeout as exc:
        message = f"timed out after {policy.connect_timeout} s connecting to {host}"
        raise FetchTimeout(message, url=url) from exc
    except httpx.TimeoutException as exc:
        message = f"timed out after {policy.read_timeout} s waiting for {host}"
        raise FetchTimeout(message, url=url) from exc
    except httpx.ConnectError as exc:
        raise ConnectFailed(f"could not connect to {host}: {_reason(exc)}", url=url) from exc
    except httpx.TransportError as exc:
        raise ConnectFailed(f"transfer from {host} failed: {_reason(exc)}", url=url) from exc


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


async def _read_body(response: httpx.Response, limit: int, url: str) -> bytes:
    """The decompressed body, refused as soon as wire bytes or decompressed bytes pass `limit`."""
    announced = response.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        raise _too_large(limit, url)
    decompress = _decompressor(response.headers.get("content-encoding", ""), url)
    parts: list[bytes] = []
    received = size = 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        try:
            part = decompress(chunk, limit - size + 1)
        except zlib.error as exc:
            raise ConnectFailed(f"could not decompress body: {exc}", url=url) from exc
        size += len(part)
        if received > limit or size > limit:
            raise _too_large(limit, url)
        parts.append(part)
    return b"".join(parts)


def _decompressor(encoding: str, url: str) -> Callable[[bytes, int], bytes]:
    """(data, max output) -> output for `Content-Encoding`; the cap keeps a bomb from inflating."""
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return lambda data, _cap: data
    if name in ("gzip", "x-gzip", "deflate"):
        # wbits | 32 accepts a gzip or a zlib header: servers mix up the two names.
        return zlib.decompressobj(wbits=zlib.MAX_WBITS | 32).decompress
    raise ConnectFailed(f"unsupported content encoding {name}", url=url)


def _too_large(limit: int, url: str) -> BodyTooLarge:
    return BodyTooLarge(f"body larger than {_human_size(limit)}", url=url)


def _human_size(size: int) -> str:
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _status_error(response: httpx.Response, url: str) -> HttpStatusError:
    return HttpStatusError(
        f"HTTP {response.status_code} {response.reason_phrase}".rstrip(),
        url=url,
        status=response.status_code,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )


def _result(
    url: str, response: httpx.Response, body: bytes, sent: Mapping[str, str]
) -> FetchResult:
    headers = {name.lower(): value for name, value in response.headers.items()}
    unchanged = response.status_code == 304
    return FetchResult(
        url=url,
        final_url=str(response.url),
        status=response.status_code,
        body=body,
        headers=headers,
        etag=headers.get("etag") or (sent.get("if-none-match") if unchanged else None),
        last_modified=headers.get("last-modified")
        or (sent.get("if-modified-since") if unchanged else None),
    )
