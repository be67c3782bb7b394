"""When to try again after a failure: a doubling back-off, and the wait a server asks
for with `Retry-After`. Pure; shared by web sources, the scheduler and WebSub pings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

BACKOFF_CAP_S = 6 * 3600.0  # a failing source is still tried at least this often
RETRY_AFTER_MAX_S = 86_400  # a server may not pause us for longer than a day


def doubled(base: float, times: int, cap: float) -> float:
    """`base` doubled `times` times, at most `cap` (but never below `base` itself)."""
    if times <= 0:
        return base
    return min(base * 2.0 ** min(times, 30), max(base, cap))


def backoff_interval(interval: float, failures: int) -> float:
    """Seconds until the next scan: the interval, doubled per consecutive failure up
    to a cap (never below the interval itself); a success resets it."""
    return doubled(interval, failures, BACKOFF_CAP_S)


def retry_after(value: str | None, now: datetime) -> datetime | None:
    """When a `Retry-After` value (seconds or an HTTP date) allows the next request:
    never before `now`, never more than a day after it; None when absent or malformed."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=min(int(value), RETRY_AFTER_MAX_S))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    # A server may not pause a source for longer than a day, or make it run early.
    return min(max(moment, now), now + timedelta(seconds=RETRY_AFTER_MAX_S))


def retry_after_seconds(value: str | None, now: datetime) -> float:
    """Seconds a `Retry-After` value asks to wait from `now` (0 when absent or malformed)."""
    moment = retry_after(value, now)
    return (moment - now).total_seconds() if moment else 0.0
