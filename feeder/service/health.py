"""Is the service healthy? Pure judgement over each source's state; no I/O.

A source is `ok`, `degraded` or `failing` by its scans as `feeder status` judges
them (see `feeder.core.status`), and failing too when a refresh hangs or a scan is long
overdue: things only the running service can see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feeder.core.status import (
    DEGRADED,
    FAILING,
    FAILURES_UNHEALTHY,
    OK,
    patience,
    scan_failure,
    unproven,
)

_RANK = {OK: 0, DEGRADED: 1, FAILING: 2}


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


def problems(source: SourceHealth, now: datetime) -> list[str]:
    """Why `source` is failing, or an empty list.

    A hung refresh makes APScheduler skip every later run without a word, so a scan
    that is long overdue counts as a problem too, not only a failing one.
    """
    found = []
    allowed = patience(source.interval)
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
    if source.running_since and now - source.running_since > allowed:
        running = (now - source.running_since).total_seconds()
        found.append(
            f"a refresh has been running for {running:.0f} s (interval {source.interval:g} s)"
        )
    last = max(filter(None, [source.last_scan, source.watching_since]))
    if not source.running_since and not paused and now - last > allowed:
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
