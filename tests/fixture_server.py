"""A real HTTP server on an ephemeral loopback port, answering what each test sets.

Nothing is mocked: feeder's fetcher talks to it over TCP. Every request is
recorded (path and headers) so tests can check what feeder sent.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: bytes = b""  # of a POST


@dataclass
class FixtureServer:
    url: str
    routes: dict[str, Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]


def static(
    body: bytes,
    content_type: str = "application/rss+xml",
    etag: str | None = None,
    last_modified: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Handler:
    """A fixed answer that honours If-None-Match / If-Modified-Since with a 304."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        if (etag and request.headers.get("If-None-Match") == etag) or (
            last_modified and request.headers.get("If-Modified-Since") == last_modified
        ):
            request.send_response(304)
            request.end_headers()
            return
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        for name, value in {
            "ETag": etag,
            "Last-Modified": last_modified,
            **(headers or {}),
        }.items():
            if value:
                request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)

    return handle


def statuses(*codes: int, headers: dict[str, str] | None = None) -> Handler:
    """Answer each request with the next status of `codes` (the last one repeats)."""
    left = list(codes)

    def handle(request: BaseHTTPRequestHandler) -> None:
        code = left.pop(0) if len(left) > 1 else left[0]
        request.send_response(code)
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handle


def redirect(location: str, status: int = 302) -> Handler:
    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(status)
        request.send_header("Location", location)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handle


def hang(seconds: float) -> Handler:
    def handle(request: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)

    return handle


def drip(every: float, total: int = 1000) -> Handler:
    """Headers at once, then one byte of body every `every` seconds."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Content-Length", str(total))
        request.end_headers()
        for _ in range(total):
            try:
                request.wfile.write(b" ")
                request.wfile.flush()
            except OSError:
                return
            time.sleep(every)

    return handle


def gzip_bomb(inflated_bytes: int) -> Handler:
    packed = gzip.compress(b"\0" * inflated_bytes, compresslevel=9)
    return static(packed, headers={"Content-Encoding": "gzip"})


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


@contextmanager
def fixture_server(host: str = "127.0.0.1") -> Iterator[FixtureServer]:
    state = FixtureServer("")

    class Handle(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            state.seen.append(Seen(self.path, dict(self.headers.items())))
            handler = state.routes.get(self.path)
            if handler is None:
                self.send_error(404)
            else:
                handler(self)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.seen.append(Seen(self.path, dict(self.headers.items()), body))
            handler = state.routes.get(self.path)
            if handler is None:
                self.send_error(404)
            else:
                handler(self)

    server = (_IPv6Server if ":" in host else ThreadingHTTPServer)((host, 0), Handle)
    server.daemon_threads = True
    shown = f"[{host}]" if ":" in host else host
    state.url = f"http://{shown}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
