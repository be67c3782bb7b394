"""The scheduler: when to refresh each source. It only queues work; the work is
`Feeder.refresh`, the same call `feeder refresh` makes.

One APScheduler interval job per source (jitter, coalesce, one instance, a misfire
grace of one interval). With `watch`, a file-system change in a folder asks for a
rescan of that source now (debounced); polling stays on as the safety net.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatch
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from watchfiles import Change, watch

from feeder.config import FolderSourceConfig, SourceConfig
from feeder.core import Clock, Feeder
from feeder.model import RefreshSummary
from feeder.publish import PublishError
from feeder.refresh import LeaseLost, RefreshCancelled
from feeder.service.health import SourceHealth
from feeder.store import LockBusyError, StoreError
from feeder.web.metrics import Metrics

log = logging.getLogger("feeder.service.scheduler")
WATCH_DEBOUNCE_MS = 300
LOCK_WAIT_S = 300.0
_RETRY_WATCH_S = 5.0


@dataclass
class _SourceState:
    config: SourceConfig
    running_since: datetime | None = None
    rerun: bool = False  # a change arrived while a refresh was running
    crashes: int = 0  # refreshes that raised, in a row (they cannot record a scan)
    current_interval: float = 0.0  # the interval now scheduled: backed off while failing


class Monitor:
    """Runs each source's refresh on its interval and, with `watch`, when its folder changes."""

    def __init__(
        self,
        feeder: Feeder,
        metrics: Metrics,
        *,
        watch: bool = False,
        shutdown_grace: float = 30.0,
        clock: Clock | None = None,
    ) -> None:
        self.feeder, self.metrics = feeder, metrics
        self.clock = clock or feeder.now
        self.watch, self.shutdown_grace = watch, shutdown_grace
        self.states = {s.name: _SourceState(s) for s in feeder.settings.sources}
        self.stopped_cleanly = True
        self._guard = threading.Lock()
        self._stopping = threading.Event()
        self._watchers: list[threading.Thread] = []
        self._started = self.clock()
        self._scheduler = BackgroundScheduler(timezone="UTC")

    def start(self) -> None:
        self._started = self.clock()
        for name, state in self.states.items():
            interval = state.config.interval
            self._scheduler.add_job(
                self._run,
                IntervalTrigger(seconds=interval, jitter=_jitter(interval)),
                args=[name],
                id=name,
                name=f"refresh {name}",
                next_run_time=self._started,  # a first scan right away
                coalesce=True,  # a stalled clock runs a late job once, not in a burst
                max_instances=1,  # a rescan never overlaps itself
                misfire_grace_time=max(1, int(interval)),
            )
        self._scheduler.start()
        if self.watch:
            folders = [s for s in self.states.values() if isinstance(s.config, FolderSourceConfig)]
            for state in folders:
                thread = threading.Thread(
                    target=self._watch, args=[state.config], name=f"watch {state.config.name}"
                )
                thread.daemon = True
                thread.start()
                self._watchers.append(thread)
        log.info(
            "monitoring %d source(s)%s", len(self.states), " with --watch" if self.watch else ""
        )

    def stop(self) -> bool:
        """Take no new work; cancel or let finish a running refresh, within `shutdown_grace`.

        Returns False if a refresh was still running when the grace ran out.
        """
        self._stopping.set()  # also cancels a refresh that is waiting, reading or storing
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        deadline = time.monotonic() + self.shutdown_grace
        while self._running() and time.monotonic() < deadline:
            time.sleep(0.05)
        for thread in self._watchers:
            thread.join(timeout=2)
        self.stopped_cleanly = not self._running()
        if not self.stopped_cleanly:
            log.warning("a refresh still runs after %g s; stopping without it", self.shutdown_grace)
        return self.stopped_cleanly

    def request_refresh(self, name: str) -> None:
        """Rescan `name` now, or once more right after the refresh that is running."""
        with self._guard:
            if self._stopping.is_set():
                return
            state = self.states[name]
            if state.running_since is not None:
                state.rerun = True
                return
        # A one-off job of its own, so the interval job's instance limit cannot swallow
        # it; two runs meeting in `_run` turn into one rerun.
        self._scheduler.add_job(
            self._run,
            args=[name, True],
            id=f"{name} (changed)",
            name=f"refresh {name} (changed)",
            replace_existing=True,
            max_instances=3,
            misfire_grace_time=None,
        )

    def health(self) -> list[SourceHealth]:
        crashes = {name: state.crashes for name, state in self.states.items()}
        reports = self.feeder.source_reports(crashes=crashes)
        report = []
        for name, state in self.states.items():
            source = reports[name]
            status = source.scans
            job = self._scheduler.get_job(name) if self._scheduler.running else None
            report.append(
                SourceHealth(
                    name=name,
                    interval=state.current_interval or state.config.interval,
                    paused_until=source.paused_until,
                    last_scan=status.last_scan,
                    last_success=status.last_success,
                    failures=source.failures,
                    last_error=status.last_error,
                    next_run=job.next_run_time if job else None,
                    running_since=state.running_since,
                    watching_since=self._started,
                )
            )
        return report

    def _running(self) -> bool:
        with self._guard:
            return any(state.running_since for state in self.states.values())

    def _run(self, name: str, changed: bool = False) -> None:
        state = self.states[name]
        with self._guard:
            if self._stopping.is_set():
                return
            if state.running_since is not None:  # the running refresh goes once more
                state.rerun = True
                return
            state.running_since = self.clock()
        try:
            while True:
                # A change must be seen: wait for a worker scanning the source to finish.
                # An interval run skips it instead: that worker is doing this very scan.
                self._refresh_once(name, state, wait=changed)
                changed = True  # a rerun is always for a change
                self._pace(name, state)
                self._record_next_run(name)
                with self._guard:  # checked and cleared together: no request is lost
                    if not state.rerun or self._stopping.is_set():
                        state.running_since = None
                        return
                    state.rerun = False
        finally:
            with self._guard:
                state.running_since = None

    def _refresh_once(self, name: str, state: _SourceState, wait: bool) -> None:
        started = time.monotonic()
        try:
            summary = self.feeder.refresh(
                sources=[name],
                lock_timeout=LOCK_WAIT_S,
                cancel=self._stopping,
                wait_for_sources=wait,
            )
        except RefreshCancelled as exc:
            log.info("refresh %s: %s, the service is stopping", name, exc)
            return
        except LeaseLost as exc:
            self.metrics.refresh_runs.labels(name, "skipped").inc()
            log.warning("refresh %s: stopped: %s", name, exc)
            return
        except LockBusyError as exc:
            self.metrics.refresh_runs.labels(name, "busy").inc()
            log.warning("refresh %s: skipped: %s", name, exc)
            return
        except (StoreError, PublishError) as exc:
            state.crashes += 1
            self.metrics.refresh_runs.labels(name, "error").inc()
            log.error("refresh %s: failed: %s", name, exc)
            return
        except Exception:
            state.crashes += 1
            self.metrics.refresh_runs.labels(name, "error").inc()
            log.exception("refresh %s: failed unexpectedly", name)
            return
        if summary.sources_skipped:
            self.metrics.refresh_runs.labels(name, "skipped").inc()
            log.info("refresh %s: skipped, another worker is refreshing it", name)
            return
        state.crashes = 0
        seconds = time.monotonic() - started
        self.metrics.record_refresh(name, summary, seconds)
        _log_summary(name, summary, seconds)

    def _pace(self, name: str, state: _SourceState) -> None:
        """Back off a failing source (or wait out its Retry-After); restore it on success."""
        job = self._scheduler.get_job(name) if self._scheduler.running else None
        if job is None:
            return
        try:
            report = self.feeder.source_reports(only=name, crashes={name: state.crashes})[name]
        except StoreError as exc:
            log.warning("could not read the state of %s: %s", name, exc)
            return
        wanted, pause_until = report.next_interval, report.paused_until
        if wanted != (state.current_interval or state.config.interval):
            job.reschedule(IntervalTrigger(seconds=wanted, jitter=_jitter(wanted)))
            state.current_interval = wanted
            if failures := report.failures:
                log.info(
                    "refresh %s: %d failure(s) in a row, next try in %g s", name, failures, wanted
                )
        if pause_until and (job.next_run_time is None or pause_until > job.next_run_time):
            job.modify(next_run_time=pause_until)

    def _record_next_run(self, name: str) -> None:
        job = self._scheduler.get_job(name) if self._scheduler.running else None
        try:
            self.feeder.record_next_run(name, job.next_run_time if job else None)
        except StoreError as exc:
            log.warning("could not record the next run of %s: %s", name, exc)

    def _watch(self, source: FolderSourceConfig) -> None:
        """Watch the folder (waiting for it to exist, and again if watching fails)."""
        root = Path(source.path)

        def wanted(change: Change, path: str) -> bool:
            # Only the files the source reads: a database or feeds kept in the same folder
            # would otherwise trigger a rescan with every write of the rescan itself.
            return matches_source(source, Path(path).relative_to(root).as_posix())

        while not self._stopping.is_set():
            if not root.is_dir():
                self._stopping.wait(_RETRY_WATCH_S)
                continue
            try:
                ready = False
                for changes in watch(
                    root,
                    watch_filter=wanted,
                    debounce=WATCH_DEBOUNCE_MS,
                    step=50,
                    stop_event=self._stopping,
                    rust_timeout=500,
                    yield_on_timeout=True,  # the first (empty) yield says it is watching
                    raise_interrupt=False,
                ):
                    if not ready:
                        ready = True
                        log.info("watch %s: watching %s", source.name, root)
                    if changes:
                        log.info("watch %s: change seen, refreshing", source.name)
                        self.request_refresh(source.name)
            except (OSError, RuntimeError, ValueError) as exc:
                log.warning(
                    "watch %s: cannot watch %s (%s); polling goes on", source.name, root, exc
                )
                self._stopping.wait(_RETRY_WATCH_S)


def _jitter(interval: float) -> int | None:
    """A tenth of the interval, at most 30 s: sources started together drift apart."""
    return int(min(interval / 10, 30)) or None


def matches_source(source: FolderSourceConfig, relative: str) -> bool:
    """Whether a path (relative to the folder) is one the source reads: visible and
    matching its pattern, where a leading `**/` also matches the top level."""
    if any(part.startswith(".") for part in relative.split("/")):
        return False
    pattern = source.pattern
    return fnmatch(relative, pattern) or (
        pattern.startswith("**/") and fnmatch(relative, pattern[3:])
    )


def _log_summary(name: str, summary: RefreshSummary, seconds: float) -> None:
    web = summary.fetches + summary.fetches_unchanged + summary.fetches_failed
    read = (
        ("fetches", summary.fetches, summary.fetches_unchanged, summary.fetches_failed)
        if web
        else ("files", summary.files_scanned, summary.files_unchanged, summary.files_failed)
    )
    log.info(
        "refresh %s: %s %d read, %d unchanged, %d failed; items %d new, %d updated; "
        "feeds %d written, %d unchanged; %.2f s",
        name,
        *read,
        summary.items_new,
        summary.items_updated,
        summary.feeds_written,
        summary.feeds_unchanged,
        seconds,
    )
    for error in summary.errors:
        log.error("%s", error)  # it names the source first
    for warning in summary.warnings:
        log.warning("refresh %s: %s", name, warning)
