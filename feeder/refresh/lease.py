"""Source leases: each source is scanned by one worker at a time. A refresh claims
its sources first, renews the leases while it works, and releases them at the end
(or they expire if the process dies)."""

from __future__ import annotations

import time
from contextlib import suppress
from datetime import datetime, timedelta
from threading import Event

from feeder.errors import LeaseLost, RefreshCancelled
from feeder.store import LockBusyError, Storage, StoreError, worker_is_gone


class Lease:
    """This worker's leases on the sources it refreshes, renewed while it works so a
    long scan keeps them, and released at the end (or expiring if the process dies)."""

    def __init__(self, store: Storage, worker: str, now: datetime, seconds: float) -> None:
        self.store, self.worker, self.now, self.seconds = store, worker, now, seconds
        self.sources: list[str] = []
        self._started = self._renewed = time.monotonic()

    def _at(self) -> datetime:
        return self.now + timedelta(seconds=time.monotonic() - self._started)

    def claim(self, sources: list[str], wait: float, cancel: Event) -> None:
        """Lease `sources`, waiting up to `wait` seconds for all of them (none if
        another worker keeps one: `LockBusyError`); without waiting, those free now."""
        deadline = time.monotonic() + wait
        while True:
            at = self._at()
            until = at + timedelta(seconds=self.seconds)
            # Waiting, take all or none: two waiters each holding half would starve.
            gone = self._gone(sources, at)
            claimed = self.store.claim_sources(sources, self.worker, at, until, wait > 0, gone)
            self.sources = claimed or []
            if self.sources or not sources or wait <= 0:
                return
            if cancel.is_set():
                raise RefreshCancelled("cancelled while waiting for another worker")
            if time.monotonic() >= deadline:
                busy = ", ".join(sorted(set(sources) - set(self.sources)))
                raise LockBusyError(
                    f"another feeder worker is refreshing {busy}; gave up after waiting {wait:g} s"
                )
            time.sleep(0.1)

    def _gone(self, sources: list[str], at: datetime) -> set[str]:
        """Holders of live leases on `sources` whose process has ended (a refresh
        killed mid-scan): their leases need not be waited out."""
        leases = self.store.leases()
        held = {leases[s].holder for s in sources if s in leases and leases[s].until > at}
        return {holder for holder in held if holder and worker_is_gone(holder)}

    def keep(self) -> None:
        """Renew the leases when a third of their time has passed; `LeaseLost` if
        another worker holds one of them now."""
        if self.sources and time.monotonic() - self._renewed > self.seconds / 3:
            at = self._at()
            until = at + timedelta(seconds=self.seconds)
            kept = self.store.claim_sources(self.sources, self.worker, at, until, every=False)
            if kept is None:
                return  # the database is busy for a moment: renew at the next call
            if lost := sorted(set(self.sources) - set(kept)):
                self.sources = kept  # never release what another worker holds now
                raise LeaseLost(
                    f"another worker took over {', '.join(lost)} after this refresh held it "
                    f"for longer than source_lease ({self.seconds:g} s) without renewing"
                )
            self._renewed = time.monotonic()

    def release(self) -> None:
        """End the leases; failing that, they expire on their own."""
        if not self.sources:
            return
        with suppress(StoreError):
            self.store.release_sources(self.sources, self.worker)
