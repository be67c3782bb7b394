"""WebSub (W3C) publishing: after a refresh changed some feeds, tell the hub their
URLs (`hub.mode=publish`), so it pushes them to subscribers at once.

Pings run on a background thread, with retries and exponential back-off: a hub that
is slow, down or refusing is logged, and never holds up a refresh or publishing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime

import httpx

from feeder.backoff import doubled, retry_after_seconds

log = logging.getLogger("feeder.service.websub")

ATTEMPTS = 5
FIRST_DELAY = 2.0  # seconds before the first retry; doubled each time
MAX_DELAY = 60.0
TIMEOUT = 10.0


class HubPinger:
    """Sends publish pings for feed URLs to one hub, in order, each URL at most once
    while it waits (a feed that changes twice before its ping goes out is pinged once)."""

    def __init__(
        self,
        hub: str,
        user_agent: str,
        *,
        attempts: int = ATTEMPTS,
        first_delay: float | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        """`first_delay`: seconds before the first retry of a failed ping (None:
        `FIRST_DELAY`), doubled for each later one up to `MAX_DELAY`, or longer when
        the hub asks (Retry-After)."""
        self.hub = hub
        self.attempts = attempts
        self.first_delay = FIRST_DELAY if first_delay is None else first_delay
        self._client = httpx.Client(
            timeout=timeout, headers={"User-Agent": user_agent}, follow_redirects=False
        )
        self._waiting: deque[str] = deque()
        self._busy = False  # a ping is being sent (its URL no longer in `_waiting`)
        self._closing = threading.Event()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self.sent = 0  # pings the hub accepted
        self.failed = 0  # pings given up on

    def ping(self, urls: Iterable[str]) -> None:
        """Queue a publish ping for each URL; returns at once."""
        with self._changed:
            if self._closing.is_set():
                log.warning("websub: not sending pings to %s: shutting down", self.hub)
                return
            for url in urls:
                if url not in self._waiting:
                    self._waiting.append(url)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="websub-pings", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def wait(self, timeout: float) -> bool:
        """Wait until every queued ping is sent or given up on; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._waiting or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def close(self, timeout: float = 30.0) -> None:
        """Finish the queued pings within `timeout` seconds, then stop; pings still
        waiting then are logged as not sent."""
        self.wait(timeout)
        with self._changed:
            self._closing.set()
            left = list(self._waiting)
            self._waiting.clear()
            self._changed.notify_all()
        if left:
            log.warning(
                "websub: %d ping(s) to %s not sent (shutting down): %s",
                len(left), self.hub, ", ".join(left),
            )  # fmt: skip
        if self._thread is not None:
            self._thread.join(timeout=1.0)  # a ping still in flight is cut by the close
        self._client.close()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._waiting and not self._closing.is_set():
                    self._changed.wait()
                if self._closing.is_set():
                    return
                url = self._waiting.popleft()
                self._busy = True
            try:
                sent = self._send(url)
            except Exception:  # the thread must live on to send the next pings
                log.exception("websub: hub %s: the ping for %s failed", self.hub, url)
                sent = False
            try:
                if sent:
                    self.sent += 1
                else:
                    self.failed += 1
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()

    def _send(self, url: str) -> bool:
        """One URL's ping, retried on network errors, 429 and 5xx answers."""
        for attempt in range(1, self.attempts + 1):
            delay = doubled(self.first_delay, attempt - 1, MAX_DELAY)
            try:
                response = self._client.post(self.hub, data={"hub.mode": "publish", "hub.url": url})
            except httpx.HTTPError as exc:
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                if response.is_success:
                    log.info("websub: hub %s told of %s", self.hub, url)
                    return True
                reason = f"HTTP {response.status_code}"
                if response.is_redirect:  # a POST is not re-sent to another address
                    reason += f" to {response.headers.get('location')}: set websub_hub to it"
                if response.status_code != 429 and response.status_code < 500:
                    log.error("websub: hub %s refused the ping for %s: %s", self.hub, url, reason)
                    return False
                asked = response.headers.get("retry-after")
                delay = max(delay, retry_after_seconds(asked, datetime.now(UTC)))
            if attempt == self.attempts:
                break
            log.warning(
                "websub: hub %s, ping for %s failed (%s); retry %d of %d in %.0f s",
                self.hub, url, reason, attempt, self.attempts - 1, min(delay, MAX_DELAY),
            )  # fmt: skip
            if self._closing.wait(min(delay, MAX_DELAY)):
                log.warning("websub: ping to %s for %s not sent (shutting down)", self.hub, url)
                return False
        log.error(
            "websub: hub %s: gave up on the ping for %s after %d attempts: %s",
            self.hub, url, self.attempts, reason,
        )  # fmt: skip
        return False
