"""Is the service healthy? Pure judgement over each source's state; no I/O.

A source is `ok`, `degraded` (it failed and has not succeeded once since the service
began watching it: no evidence yet that it works, but not long enough to call it
down) or `failing` (failed 3 scans in a row, or has not succeeded for 3 intervals
while failing, or is hung or overdue). The time rule matters because back-off makes
3 failures in a row take hours on a long interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

FAILURES_UNHEALTHY = 3  # consecutive failed scans before a source counts as down
OVERDUE_FACTOR = (
    3  # a scan is overdue, a refresh hung, or an outage long, after this many intervals
)
OVERDUE_FLOOR = timedelta(seconds=60)  # ...but never sooner than this
BACKOFF_CAP_S = 6 * 3600.0  # a failing source is still tried at least this often
OK, DEGRADED, FAILING = "ok", "degraded", "failing"
_RANK = {OK: 0, DEGRADED: 1, FAILING: 2}


def backoff_interval(interval: float, failures: int) -> float:
    """Seconds until the next scan: the interval, doubled per consecutive failure up
    to a cap (never below the interval itself); a success resets it."""
    if failures <= 0:
        return interval
    return min(interval * 2.0 ** min(failures, 30), max(interval, BACKOFF_CAP_S))


@dataclass(frozen=True)
class SourceHealth:
    """One source as the running service sees it."""

    name: str
    interval: float  # seconds between scans as now scheduled (longer while backing off)
    last_scan: datetime | None
    last_success: datetime | None
    failures: int
    last_error: str | None
    next_run: datetime | None
    running_since: datetime | None
    watching_since: datetime  # when the service began scheduling this source
    paused_until: datetime | None = None  # the server asked to wait (Retry-After)
    # The interval as configured, which back-off does not stretch (None: `interval`).
    configured_interval: float | None = None


def _patience(interval: float) -> timedelta:
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
    if began is not None and now - began > _patience(interval):
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


def problems(source: SourceHealth, now: datetime) -> list[str]:
    """Why `source` is failing, or an empty list.

    A hung refresh makes APScheduler skip every later run without a word, so a scan
    that is long overdue counts as a problem too, not only a failing one.
    """
    found = []
    patience = _patience(source.interval)
    paused = source.paused_until is not None and source.paused_until > now
    # While the server asks us to wait (Retry-After), only the count condemns a source.
    if not paused or source.failures >= FAILURES_UNHEALTHY:
        failure = scan_failure(
            source.failures,
            source.last_success,
            source.last_error,
            source.configured_interval or source.interval,
            now,
            source.watching_since,
        )
        found += [failure] if failure else []
    if source.running_since and now - source.running_since > patience:
        running = (now - source.running_since).total_seconds()
        found.append(
            f"a refresh has been running for {running:.0f} s (interval {source.interval:g} s)"
        )
    last = max(filter(None, [source.last_scan, source.watching_since]))
    if not source.running_since and not paused and now - last > patience:
        found.append(
            f"no scan for {(now - last).total_seconds():.0f} s (interval {source.interval:g} s)"
        )
    return found


def judge(source: SourceHealth, now: datetime) -> tuple[str, list[str]]:
    """(`ok`, `degraded` or `failing`, the reasons) for one source."""
    found = problems(source, now)
    if found:
        return FAILING, found
    if unproven(source.failures, source.last_success, source.watching_since):
        return DEGRADED, [
            f"no successful scan since the service started, {source.failures} failed: "
            f"{source.last_error}"
        ]
    return OK, []


def health_report(
    sources: list[SourceHealth], items: int, now: datetime
) -> tuple[bool, dict[str, Any]]:
    """(healthy, JSON document) for `/health`. Only `failing` is unhealthy (503): a
    `degraded` source has not been given the time to count as down yet, and becomes
    `failing` if it stays so, so monitors that treat non-2xx as down see real outages."""

    def stamp(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    body: dict[str, Any] = {"items": items, "sources": {}}
    overall = OK
    for source in sources:
        standing, found = judge(source, now)
        overall = max(overall, standing, key=_RANK.__getitem__)
        body["sources"][source.name] = {
            "status": standing,
            "problems": found,
            "interval_seconds": source.interval,
            "last_scan": stamp(source.last_scan),
            "last_success": stamp(source.last_success),
            "consecutive_failures": source.failures,
            "last_error": source.last_error,
            "next_run": stamp(source.next_run),
            "paused_until": stamp(source.paused_until),
            "running_since": stamp(source.running_since),
        }
    body["status"] = overall
    return overall != FAILING, body
