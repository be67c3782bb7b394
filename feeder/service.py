"""Run the long-lived service: the scheduler plus the HTTP server (uvicorn)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
from collections.abc import Iterator

import uvicorn

from .core import Feeder
from .metrics import Metrics
from .schedule import Monitor
from .serve import make_app

log = logging.getLogger("feeder.service")


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


def run_service(
    feeder: Feeder, host: str, port: int, *, watch: bool = False, access_log: bool = True
) -> None:
    """Serve until SIGTERM or SIGINT, then stop cleanly. Raises `LockBusyError` if
    another service runs on the same database, `OSError` if the address is taken."""
    early: list[int] = []
    for sig in _STOP_SIGNALS:
        signal.signal(sig, lambda number, _frame: early.append(number))
    with feeder.claim_service():
        sock = bind(host, port)
        metrics = Metrics()
        monitor = Monitor(feeder, metrics, watch=watch)
        config = uvicorn.Config(
            make_app(feeder, metrics, monitor),
            log_config=None,
            access_log=access_log,
            lifespan="on",
        )
        bound_host, bound_port = sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        log.info(
            "serving %s at http://%s:%d/ (database %s)",
            feeder.settings.feeds_dir,
            shown,
            bound_port,
            feeder.database,
        )
        _Server(config, early).run(sockets=[sock])
        # Within systemd's stop timeout: the next start pings for its own changes.
        feeder.finish_pings(SERVICE_PING_GRACE)
        if not monitor.stopped_cleanly:
            # The refresh thread cannot be interrupted mid-transaction; the database
            # rolls it back when the process ends, and feed files are replaced whole.
            logging.shutdown()
            os._exit(0)
    log.info("stopped")
