"""Is the service healthy? Pure judgement over each source's state; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

FAILURES_UNHEALTHY = 3  # consecutive failed scans before a source counts as down
OVERDUE_FACTOR = 3  # a scan is overdue, or a refresh hung, after this many intervals
OVERDUE_FLOOR = timedelta(seconds=60)  # ...but never sooner than this
BACKOFF_CAP_S = 6 * 3600.0  # a failing source is still tried at least this often


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


def problems(source: SourceHealth, now: datetime) -> list[str]:
    """Why `source` is unhealthy, or an empty list.

    A hung refresh makes APScheduler skip every later run without a word, so a scan
    that is long overdue counts as a problem too, not only a failing one.
    """
    found = []
    patience = max(timedelta(seconds=source.interval * OVERDUE_FACTOR), OVERDUE_FLOOR)
    if source.failures >= FAILURES_UNHEALTHY:
        found.append(f"failed {source.failures} scans in a row: {source.last_error}")
    if source.running_since and now - source.running_since > patience:
        running = (now - source.running_since).total_seconds()
        found.append(
            f"a refresh has been running for {running:.0f} s (interval {source.interval:g} s)"
        )
    last = max(filter(None, [source.last_scan, source.watching_since]))
    paused = source.paused_until is not None and source.paused_until > now
    if not source.running_since and not paused and now - last > patience:
        found.append(
            f"no scan for {(now - last).total_seconds():.0f} s (interval {source.interval:g} s)"
        )
    return found


def health_report(
    sources: list[SourceHealth], items: int, now: datetime
) -> tuple[bool, dict[str, Any]]:
    """(healthy, JSON document) for `/health`."""

    def stamp(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    body: dict[str, Any] = {"items": items, "sources": {}}
    healthy = True
    for source in sources:
        found = problems(source, now)
        healthy = healthy and not found
        body["sources"][source.name] = {
            "status": "failing" if found else "ok",
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
    body["status"] = "ok" if healthy else "failing"
    return healthy, body
