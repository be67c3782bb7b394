"""Where a web fetch may connect, and for how long: an httpx transport that checks
the addresses a host resolves to, and a deadline that cuts the fetch's connections.

The check runs on every request (each redirect hop too), on the addresses the name
resolves to, and the request then connects to the checked address itself (the name
still goes in the Host header and TLS's SNI and certificate check), so a DNS answer
that changes between the check and the connection cannot bypass it. httpx's
timeouts are per phase, so a server dripping a byte every few seconds never trips
them: the deadline shuts the sockets down instead.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import httpx

from feeder.errors import BlockedAddressError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[Address], bool]
# The addresses the current fetch may connect to (None allows every address), and
# its deadline: set by the fetcher around each fetch, read by the transport.
reachable: contextvars.ContextVar[AddressPolicy | None] = contextvars.ContextVar(
    "reachable", default=None
)
current_deadline: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "current_deadline", default=None
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="feeder-dns")


def is_public(address: Address) -> bool:
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


class Deadline:
    """The watchdog of one fetch: at the deadline it shuts down every connection the
    fetch opened, TLS or not, so even a byte-by-byte drip ends."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._ends - time.monotonic())

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        """Disarm the watchdog and let go of the connections it watched."""
        self._timer.cancel()
        with self._lock:
            watched, self._sockets = self._sockets, []
        for sock in watched:
            sock.close()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's `trace` request extension: watch each connection as it opens."""
        if event == "connection.connect_tcp.complete":
            self._watch(info["return_value"].get_extra_info("socket"))

    def _watch(self, sock: socket.socket) -> None:
        # A duplicate of the descriptor: it stays ours when httpcore closes its own,
        # so the cut can never reach a socket that reused the number. Shutting it
        # down ends the connection under TLS too, which wraps the same socket.
        with self._lock:
            self._sockets.append(sock.dup())
        if self.expired.is_set():
            self._cut()

    def _cut(self) -> None:
        self.expired.set()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class GuardedTransport(httpx.BaseTransport):
    """Wraps `httpx.HTTPTransport`: resolves each request's host within the fetch's
    deadline, refuses an address the fetch may not reach, connects to the checked
    address, and hands the connection to the deadline."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = current_deadline.get()
        named = request.url
        host = named.raw_host.decode("ascii")
        address = _resolve(host, request, deadline)
        request.extensions["sni_hostname"] = host  # TLS checks the name, not the address
        if deadline is not None:
            request.extensions["trace"] = deadline.trace
        request.url = named.copy_with(host=str(address))
        try:
            return self._inner.handle_request(request)
        finally:
            request.url = named  # the client (cookies, redirects) sees the name it asked for

    def close(self) -> None:
        self._inner.close()


def _resolve(host: str, request: httpx.Request, deadline: Deadline | None) -> Address:
    """The address to connect to, after checking every address `host` resolves to."""
    timeout = request.extensions.get("timeout", {}).get("connect")
    wait = deadline.remaining() if deadline else timeout
    port = request.url.port or (443 if request.url.scheme == "https" else 80)
    lookup = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=wait)
    except FutureTimeout:
        raise httpx.ConnectTimeout(f"resolving {host} took too long", request=request) from None
    except socket.gaierror as exc:
        raise httpx.ConnectError(f"cannot resolve {host}: {exc.strerror}", request=request) from exc
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    policy = reachable.get()
    if policy is not None:
        for address in addresses:
            if not policy(address):
                raise BlockedAddressError(
                    f"{host} resolves to {address}, a loopback, private or reserved address "
                    "(set allow_private_networks = true for this source to allow it)"
                )
    return addresses[0]
