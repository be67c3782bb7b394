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
import time
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from feeder.normalize import mask_url
from feeder.sources.folder import SourceError

MAX_REDIRECTS = 5
RETRY_AFTER_MAX_S = 86_400
_REDIRECTS = (301, 302, 303, 307, 308)
_PHASE_TIMEOUT = httpx.Timeout(10.0)
AddressPolicy = Callable[[ipaddress.IPv4Address | ipaddress.IPv6Address], bool]
# The addresses the current fetch may connect to; None allows every address.
_reachable: contextvars.ContextVar[AddressPolicy | None] = contextvars.ContextVar(
    "reachable", default=None
)
_current_deadline: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar(
    "current_deadline", default=None
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


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """False for loopback, private, link-local (cloud metadata), 100.64.0.0/10 shared,
    multicast, unspecified and reserved addresses, and for IPv6 forms that carry
    such an IPv4 address (mapped, compatible, 6to4, NAT64)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local:
            return False
        packed = int(address)
        embedded = (
            address.ipv4_mapped
            or address.sixtofour
            or (ipaddress.IPv4Address(packed & 0xFFFFFFFF) if address in _NAT64 else None)
            or (ipaddress.IPv4Address(packed) if packed >> 32 == 0 and packed else None)
        )
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast


class _Deadline:
    """The watchdog of one fetch: at the deadline it shuts down every connection the
    fetch opened, TLS or not, so even a byte-by-byte drip ends."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = threading.Event()
        self._fds: set[int] = set()
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._ends - time.monotonic())

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.cancel()

    def opened(self, fd: int) -> None:
        with self._lock:
            self._fds.add(fd)
        if self.expired.is_set():
            self._cut()

    def closed(self, fd: int) -> None:
        with self._lock:
            self._fds.discard(fd)

    def _cut(self) -> None:
        self.expired.set()
        with self._lock:
            for fd in self._fds:
                # By descriptor: TLS wraps the socket object, the descriptor stays.
                sock = socket.socket(fileno=fd)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.detach()


class _TrackedStream(httpcore.NetworkStream):
    """A connection the fetch's deadline can cut; forgotten once closed."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._inner, self._deadline = inner, deadline
        self._fd = inner.get_extra_info("socket").fileno()
        deadline.opened(self._fd)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._deadline.closed(self._fd)
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        self._inner = self._inner.start_tls(ssl_context, server_hostname, timeout)
        return self

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="feeder-dns")


class _GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses the current fetch may reach, resolving names within
    the fetch's deadline, and hands every connection to that deadline."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        deadline = _current_deadline.get()
        wait = deadline.remaining() if deadline else timeout
        lookup = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        try:
            infos = lookup.result(timeout=wait)
        except FutureTimeout:
            raise httpcore.ConnectTimeout(f"resolving {host} took too long") from None
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from exc
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        reachable = _reachable.get()
        if reachable is not None:
            for address in addresses:
                if not reachable(address):
                    raise BlockedAddressError(
                        f"{host} resolves to {address}, a loopback, private or reserved address "
                        "(set allow_private_networks = true for this source to allow it)"
                    )
        stream = super().connect_tcp(
            str(addresses[0]), port, timeout, local_address, socket_options
        )
        return _TrackedStream(stream, deadline) if deadline else stream


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

    def __init__(self, user_agent: str, public: AddressPolicy = is_public) -> None:
        """`public` decides which addresses a source without `allow_private_networks`
        may reach (every connection, each redirect hop included, is checked)."""
        self.client = _client(user_agent)
        self.public = public

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
        deadline_watch = _Deadline(deadline)
        policy = None if allow_private else self.public
        tokens = (_reachable.set(policy), _current_deadline.set(deadline_watch))
        deadline_watch.start()
        try:
            fetched = self._follow(url, shown, max_bytes, etag, last_modified)
            if deadline_watch.expired.is_set():  # a cut can look like a normal end of body
                raise FetchError(f"{shown}: took longer than {deadline:g} s")
            return fetched
        except BlockedAddressError as exc:
            raise FetchError(f"{shown}: refused: {exc}") from None
        except (httpx.TransportError, httpx.StreamError) as exc:
            if deadline_watch.expired.is_set():
                raise FetchError(f"{shown}: took longer than {deadline:g} s") from None
            if isinstance(exc, httpx.TimeoutException):
                raise FetchError(f"{shown}: timed out") from None
            raise FetchError(f"{shown}: connection failed: {exc}") from None
        finally:
            deadline_watch.stop()
            _reachable.reset(tokens[0])
            _current_deadline.reset(tokens[1])

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
                if status in _REDIRECTS:
                    if "location" not in response.headers:
                        raise FetchError(f"{shown}: HTTP {status} without a Location")
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
        return now + timedelta(seconds=min(int(value), RETRY_AFTER_MAX_S))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    # A server may not pause a source for longer than a day, or make it run early.
    return min(max(moment, now), now + timedelta(seconds=RETRY_AFTER_MAX_S))


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
        decoder: Any = _Inflater(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = _Inflater(None)
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


class _Inflater:
    """zlib with a cap on every call's output. Reads gzip bodies of several members,
    and "deflate" either zlib-wrapped (as specified), gzip-wrapped or raw (as sent)."""

    def __init__(self, wbits: int | None) -> None:
        self._wbits = wbits
        self._inner: Any = None
        self.unconsumed_tail = b""

    def _new(self, data: bytes) -> Any:
        if self._wbits is not None:
            return zlib.decompressobj(self._wbits)
        wrapped = len(data) >= 2 and (data[0] == 0x1F or (data[0] * 256 + data[1]) % 31 == 0)
        return zlib.decompressobj(32 + zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._inner is None:
            self._inner = self._new(data)
        out = self._inner.decompress(data, max(max_length, 1))
        if self._inner.eof and self._inner.unused_data:  # the next gzip member
            rest = self._inner.unused_data
            self._inner = self._new(rest)
            self.unconsumed_tail = rest
        else:
            self.unconsumed_tail = self._inner.unconsumed_tail
        return bytes(out)
