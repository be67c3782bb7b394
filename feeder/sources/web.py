"""Fetch web sources with httpx: bounded in time and size, conditional, and never
reaching private networks unless a source is allowed to.

httpx's timeouts are per phase, so a server dripping a byte every few seconds
never trips them: a watchdog shuts the socket down at the request's deadline.
The private-network check runs when connecting (each redirect hop connects
anew), on the addresses the name resolves to, so DNS tricks cannot bypass it.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore
import httpx

from .folder import SourceError

MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)
_PHASE_TIMEOUT = httpx.Timeout(10.0)
_allow_private: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "allow_private", default=False
)
_open_sockets: contextvars.ContextVar[list[socket.socket] | None] = contextvars.ContextVar(
    "open_sockets", default=None
)


class FetchError(SourceError):
    """A web source could not be fetched; the message names the URL and the reason."""

    def __init__(self, message: str, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # the server's Retry-After value, as sent


class BlockedAddressError(Exception):
    """The host resolves to an address this source may not reach."""


@dataclass(frozen=True)
class Fetched:
    """A fetch's outcome: new bytes, or "not modified" (HTTP 304) with none."""

    url: str  # after redirects
    body: bytes
    not_modified: bool
    etag: str | None
    last_modified: str | None
    content_type: str


def mask_url(url: str) -> str:
    """The URL with any user:password replaced, for messages and logs."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """False for loopback, private, link-local (cloud metadata), 100.64.0.0/10 shared,
    multicast, unspecified and reserved addresses, IPv4-mapped ones included."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class _GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses the current fetch may reach, and registers each
    socket so the fetch's watchdog can cut it at the deadline."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from exc
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        if not _allow_private.get():
            for address in addresses:
                if not is_public(address):
                    raise BlockedAddressError(
                        f"{host} resolves to {address}, a loopback, private or reserved address "
                        "(set allow_private_networks = true for this source to allow it)"
                    )
        stream = super().connect_tcp(
            str(addresses[0]), port, timeout, local_address, socket_options
        )
        registry = _open_sockets.get()
        if registry is not None:
            registry.append(stream.get_extra_info("socket"))
        return stream


def _client(user_agent: str) -> httpx.Client:
    transport = httpx.HTTPTransport()
    # httpx has no switch for the network backend: give its transport a pool that
    # connects through the guard. Keep-alive is off so every request is checked.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_keepalive_connections=0,
        network_backend=_GuardedBackend(),
    )
    return httpx.Client(
        transport=transport,
        follow_redirects=False,  # followed by hand, each hop checked
        timeout=_PHASE_TIMEOUT,
        trust_env=False,  # a proxy would connect for us, around the guard
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
    )


class WebFetcher:
    """One shared HTTP client for every web source."""

    def __init__(self, user_agent: str) -> None:
        self.client = _client(user_agent)

    def close(self) -> None:
        self.client.close()

    def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        deadline: float,
        allow_private: bool = False,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched:
        """GET `url` (conditionally, when validators are given). Raises `FetchError`."""
        shown = mask_url(url)
        sockets: list[socket.socket] = []
        expired = threading.Event()

        def cut() -> None:
            expired.set()
            for sock in list(sockets):
                with contextlib.suppress(OSError):  # already closed
                    sock.shutdown(socket.SHUT_RDWR)

        watchdog = threading.Timer(deadline, cut)
        watchdog.daemon = True
        tokens = (_allow_private.set(allow_private), _open_sockets.set(sockets))
        watchdog.start()
        try:
            return self._follow(url, shown, max_bytes, etag, last_modified)
        except BlockedAddressError as exc:
            raise FetchError(f"{shown}: refused: {exc}") from None
        except httpx.TimeoutException:
            raise FetchError(f"{shown}: timed out") from None
        except (httpx.TransportError, httpx.StreamError) as exc:
            if expired.is_set():
                raise FetchError(f"{shown}: took longer than {deadline:g} s") from None
            raise FetchError(f"{shown}: connection failed: {exc}") from None
        finally:
            watchdog.cancel()
            _allow_private.reset(tokens[0])
            _open_sockets.reset(tokens[1])

    def _follow(
        self, url: str, shown: str, max_bytes: int, etag: str | None, last_modified: str | None
    ) -> Fetched:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(url).scheme.lower() not in ("http", "https"):
                raise FetchError(f"{shown}: redirected to a non-http URL {mask_url(url)}")
            with self.client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in _REDIRECTS and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if status == 304:
                    return Fetched(url, b"", True, etag, last_modified, "")
                if status in (429, 503):
                    wait = response.headers.get("retry-after")
                    asked = f" (Retry-After: {wait})" if wait else ""
                    raise FetchError(f"{shown}: HTTP {status}{asked}", retry_after=wait)
                if status >= 400 or status < 200:
                    raise FetchError(f"{shown}: HTTP {status} {response.reason_phrase}")
                body = _read_capped(response, max_bytes, shown)
                return Fetched(
                    url,
                    body,
                    False,
                    response.headers.get("etag"),
                    response.headers.get("last-modified"),
                    response.headers.get("content-type", ""),
                )
        raise FetchError(f"{shown}: more than {MAX_REDIRECTS} redirects")


def retry_after(value: str | None, now: datetime) -> datetime | None:
    """When a `Retry-After` (seconds or an HTTP date) allows the next request."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _read_capped(response: httpx.Response, max_bytes: int, shown: str) -> bytes:
    """The decoded body, cut off (as an error) past `max_bytes`, however it is compressed."""
    declared = response.headers.get("content-length", "")
    too_big = FetchError(f"{shown}: the body is larger than {max_bytes} bytes")
    if (
        declared.isdigit()
        and int(declared) > max_bytes
        and "content-encoding" not in response.headers
    ):
        raise too_big
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        decoder: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = _DeflateDecoder()
    elif encoding in ("identity", ""):
        decoder = None
    else:
        raise FetchError(f"{shown}: unsupported content encoding {encoding!r}")
    body = bytearray()
    try:
        for chunk in response.iter_raw():
            if decoder is None:
                body += chunk
            else:
                # Never inflate more than the cap allows: a gzip bomb is cut, not expanded.
                body += decoder.decompress(chunk, max_bytes + 1 - len(body))
                while decoder.unconsumed_tail and len(body) <= max_bytes:
                    body += decoder.decompress(decoder.unconsumed_tail, max_bytes + 1 - len(body))
            if len(body) > max_bytes:
                raise too_big
    except zlib.error as exc:
        raise FetchError(f"{shown}: corrupt {encoding} body: {exc}") from None
    return bytes(body)


class _DeflateDecoder:
    """HTTP "deflate" is zlib-wrapped by the spec but raw deflate in the wild."""

    def __init__(self) -> None:
        self._inner: Any = None
        self.unconsumed_tail = b""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._inner is None:
            wrapped = len(data) >= 2 and (data[0] * 256 + data[1]) % 31 == 0 and data[0] & 0x0F == 8
            self._inner = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        out = self._inner.decompress(data, max(max_length, 1))
        self.unconsumed_tail = self._inner.unconsumed_tail
        return bytes(out)
