"""The HTTP clients a `Feeder` shares between its refreshes: one fetcher for every web
source and one WebSub pinger, each made when first needed (httpx loads only then)."""

from __future__ import annotations

from threading import Lock
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from feeder.service.websub import HubPinger
    from feeder.sources.web import WebFetcher


class SharedClients:
    """Makes, shares and closes the fetcher and the pinger; safe across threads."""

    def __init__(self, user_agent: str, ping_first_delay: float | None = None) -> None:
        """`ping_first_delay`: seconds before a failed ping's first retry (None: the
        pinger's default)."""
        self._user_agent, self._ping_first_delay = user_agent, ping_first_delay
        self._fetcher: WebFetcher | None = None
        self._pinger: HubPinger | None = None
        self._lock = Lock()

    def fetcher(self) -> WebFetcher:
        """The one HTTP client every web source shares."""
        from feeder.sources.web import WebFetcher

        with self._lock:
            if self._fetcher is None:
                self._fetcher = WebFetcher(self._user_agent)
            return self._fetcher

    def pinger(self, hub: str) -> HubPinger:
        """The WebSub pinger of `hub`, made at the first refresh that changed a feed."""
        from feeder.service.websub import HubPinger

        with self._lock:
            if self._pinger is None:
                self._pinger = HubPinger(hub, self._user_agent, first_delay=self._ping_first_delay)
            return self._pinger

    def finish_pings(self, grace: float) -> None:
        """Give queued WebSub pings up to `grace` seconds to go out, then stop pinging."""
        with self._lock:
            pinger, self._pinger = self._pinger, None
        if pinger is not None:
            pinger.close(grace)

    def close(self, grace: float) -> None:
        """`finish_pings`, then close the fetcher."""
        self.finish_pings(grace)
        with self._lock:
            fetcher, self._fetcher = self._fetcher, None
        if fetcher is not None:
            fetcher.close()
