"""Run the long-lived service: the scheduler plus the HTTP server (uvicorn), publishing
under the address readers can reach it at."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import uvicorn

from feeder.config import ALL_FEED
from feeder.core import Feeder
from feeder.service.scheduler import Monitor
from feeder.web.app import make_app
from feeder.web.metrics import Metrics

log = logging.getLogger("feeder.service.runner")


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, early_signals: list[int]) -> None:
        super().__init__(config)
        self.early_signals = early_signals

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown, which makes a
        # clean stop exit with status 143 or 130; a stopped service should exit 0.
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in _STOP_SIGNALS}
        if self.early_signals:  # a signal that came while the service was starting
            self.should_exit = True
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 picks a free one (see `getsockname()`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # before the address is announced, so clients can connect
    except OSError:
        sock.close()
        raise
    return sock


SERVICE_PING_GRACE = 5.0
# Addresses that mean "every interface": listening there, not a place to send readers.
_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})


def checked_base_url(value: str) -> str:
    """`value` as a base URL (an http(s) URL ending in `/`); `ValueError` saying why not."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ValueError(f"{value!r} is not an http(s) URL like https://news.example.org/")
    return value if value.endswith("/") else value + "/"


def listening_base_url(host: str, port: int) -> str:
    """The base URL of a service listening on `host`:`port`. A wildcard address (all
    interfaces) is no address for a reader: this machine's host name stands in for it,
    else the loopback address."""
    if host in _WILDCARD_HOSTS:
        host = socket.gethostname() or ("::1" if host == "::" else "127.0.0.1")
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}/" if port == 80 else f"http://{shown}:{port}/"


def reader_base_url(
    feeder: Feeder, host: str, port: int, given: str | None
) -> tuple[str, str | None]:
    """(the base URL to publish under, a warning to log or None): `given` (--base-url)
    wins, then `base_url` from the config file, then the address the service listens
    on. A database shared by several workers (PostgreSQL) keeps the configured default
    instead: every worker must render the same links, or their feeds would differ."""
    settings = feeder.settings
    if given is not None:
        return checked_base_url(given), None
    if settings.base_url_configured:
        return settings.base_url, None
    if feeder.shared:
        return settings.base_url, (
            f"base_url is not set: the feeds link to {settings.base_url}; workers sharing a "
            "database must all publish one address: set base_url in the config file"
        )
    derived = listening_base_url(host, port)
    if host in _WILDCARD_HOSTS:
        return derived, (
            f"base_url is not set and {host or '*'} is every address: the feeds link to "
            f"{derived}; set base_url in the config file or --base-url to the address "
            "readers use"
        )
    return derived, None


def run_service(
    feeder: Feeder,
    host: str,
    port: int,
    *,
    base_url: str | None = None,
    watch: bool = False,
    access_log: bool = True,
) -> None:
    """Serve until SIGTERM or SIGINT, then stop cleanly. Links in the feeds and pages
    use `base_url` (from `checked_base_url`), else the configured one, else the
    address served at (see `reader_base_url`). Raises `LockBusyError` if another
    service runs on the same database, `OSError` if the address is taken."""
    early: list[int] = []
    for sig in _STOP_SIGNALS:
        signal.signal(sig, lambda number, _frame: early.append(number))
    with feeder.claim_service():
        sock = bind(host, port)
        bound_host, bound_port = sock.getsockname()[:2]
        url, warning = reader_base_url(feeder, host, bound_port, base_url)
        if url != feeder.settings.base_url:
            # Before anything renders: the first refresh then sees a new output
            # fingerprint and publishes every file again under the new address.
            feeder.settings = feeder.settings.model_copy(update={"base_url": url})
        metrics = Metrics()
        monitor = Monitor(feeder, metrics, watch=watch)
        config = uvicorn.Config(
            make_app(feeder, metrics, monitor),
            # The caller sets up logging (feeder.logs, which also names uvicorn's lines).
            log_config=None,
            access_log=access_log,
            lifespan="on",
        )
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        log.info(
            "serving %s at http://%s:%d/ (database %s)",
            feeder.settings.feeds_dir,
            shown,
            bound_port,
            feeder.database,
        )
        log.info("feeds at %s (subscribe to %s)", url, feeder.site.feed_url(ALL_FEED, "atom"))
        if warning:
            log.warning("%s", warning)
        _Server(config, early).run(sockets=[sock])
        # Within systemd's stop timeout: the next start pings for its own changes.
        feeder.finish_pings(SERVICE_PING_GRACE)
        if not monitor.stopped_cleanly:
            # The refresh thread cannot be interrupted mid-transaction; the database
            # rolls it back when the process ends, and feed files are replaced whole.
            logging.shutdown()
            os._exit(0)
    log.info("stopped")
