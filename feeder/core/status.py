"""Where each source stands, judged from its recorded scans: `ok`, `degraded` or
`failing`, its back-off and any pause a server asked for. Pure; `Feeder.status()`
fills it in for `feeder status`, and the scheduler paces and reports sources by it.

A source is `degraded` when it failed and has not succeeded once since watching
began (no evidence yet that it works, but not long enough to call it down), and
`failing` after 3 failed scans in a row, or no success for 3 intervals while
failing. The time rule matters because back-off makes 3 failures in a row take
hours on a long interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from feeder.backoff import backoff_interval
from feeder.model import SourceStatus

FAILURES_UNHEALTHY = 3  # consecutive failed scans before a source counts as down
# A scan is overdue, a refresh hung, or an outage long, after this many intervals...
OVERDUE_FACTOR = 3
OVERDUE_FLOOR = timedelta(seconds=60)  # ...but never sooner than this
OK, DEGRADED, FAILING = "ok", "degraded", "failing"


def patience(interval: float) -> timedelta:
    """How long a source with this interval may go without the scan it is owed."""
    return max(timedelta(seconds=interval * OVERDUE_FACTOR), OVERDUE_FLOOR)


def scan_failure(
    failures: int,
    last_success: datetime | None,
    last_error: str | None,
    interval: float,
    now: datetime,
    since: datetime | None = None,
) -> str | None:
    """Why a source's scans count as failing, or None.

    Failing: `FAILURES_UNHEALTHY` failures in a row, or any failure with no success
    for `OVERDUE_FACTOR` configured `interval`s, counted from the last success or,
    when it is older or missing, from `since` (when watching began; None: only from
    a last success). The time rule keeps back-off from hiding an outage for hours.
    """
    if failures >= FAILURES_UNHEALTHY:
        return f"failed {failures} scans in a row: {last_error}"
    if failures <= 0:
        return None
    began = max(filter(None, [last_success, since]), default=None)
    if began is not None and now - began > patience(interval):
        down = (now - began).total_seconds()
        what = "no successful scan" if last_success else "no successful scan yet"
        return (
            f"{what} for {down:.0f} s ({failures} failed in a row, interval {interval:g} s): "
            f"{last_error}"
        )
    return None


def unproven(failures: int, last_success: datetime | None, since: datetime | None = None) -> bool:
    """Whether a source failed and has not succeeded once since `since` (None: ever):
    degraded, even before it counts as failing."""
    return failures > 0 and (last_success is None or (since is not None and last_success < since))


def scan_standing(
    failures: int,
    last_success: datetime | None,
    interval: float,
    now: datetime,
    since: datetime | None = None,
) -> str:
    """`ok`, `degraded` or `failing` from a source's scans alone (`feeder status`)."""
    if scan_failure(failures, last_success, None, interval, now, since):
        return FAILING
    return DEGRADED if unproven(failures, last_success, since) else OK


@dataclass(frozen=True)
class TopicInfo:
    """A configured topic, and how many stored items it holds."""

    slug: str
    title: str
    items: int
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class SourceReport:
    """One source's scans as recorded, and what they mean for its next one."""

    scans: SourceStatus  # as the database records them
    location: str  # the folder or URL
    interval: float  # seconds, as configured
    failures: int  # recorded failures in a row, plus refreshes that crashed before recording
    next_interval: float  # seconds until the next scan: the interval, backed off
    paused_until: datetime | None  # a server asked to wait until then (Retry-After)
    standing: str  # `ok`, `degraded` or `failing`
    worker: str | None  # the worker scanning it now or last (leases)
    scanning: bool  # whether that worker is scanning it now

    @property
    def name(self) -> str:
        return self.scans.source

    def paused(self, now: datetime) -> bool:
        """Whether the server's Retry-After still holds at `now`."""
        return self.paused_until is not None and now < self.paused_until


def source_report(
    scans: SourceStatus,
    location: str,
    interval: float,
    now: datetime,
    *,
    paused_until: datetime | None = None,
    scanner: tuple[str, bool] | None = None,
    crashes: int = 0,
) -> SourceReport:
    """Judge one source: `crashes` counts refreshes that failed before they could
    record a scan (the service keeps them), `scanner` is (worker, scanning now)."""
    failures = scans.failures + crashes
    worker, scanning = scanner or (None, False)
    return SourceReport(
        scans=scans,
        location=location,
        interval=interval,
        failures=failures,
        next_interval=backoff_interval(interval, failures),
        paused_until=paused_until,
        standing=scan_standing(failures, scans.last_success, interval, now),
        worker=worker,
        scanning=scanning,
    )


@dataclass(frozen=True)
class StatusReport:
    """Everything `feeder status` shows: the sources, the topics, where data lives."""

    now: datetime
    service_pid: int | None  # the `feeder serve` on this database; -1: running, pid unknown
    shared: bool  # several workers may share the database (PostgreSQL)
    database: str  # the URL, password masked
    feeds_dir: Path
    sources: dict[str, SourceReport]  # in configured order
    topics: list[TopicInfo]  # in configured order
