"""When to try again: the doubling back-off and the server's Retry-After, in every form."""

from datetime import UTC, datetime, timedelta

import pytest

from feeder.backoff import RETRY_AFTER_MAX_S, doubled, retry_after, retry_after_seconds

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def test_doubling_stops_at_the_cap_but_never_below_the_base() -> None:
    assert [doubled(2.0, n, 60.0) for n in range(7)] == [2, 4, 8, 16, 32, 60, 60]
    assert doubled(120.0, 3, 60.0) == 120.0


@pytest.mark.parametrize(
    ("value", "after"),
    [
        ("120", timedelta(seconds=120)),
        (" 30 ", timedelta(seconds=30)),
        ("Tue, 24 Nov 2026 12:10:00 GMT", timedelta(minutes=10)),
        ("Tue, 24 Nov 2026 11:00:00 GMT", timedelta(0)),  # a date past never runs us early
        ("Wed, 21 Oct 2099 07:28:00 GMT", timedelta(seconds=RETRY_AFTER_MAX_S)),
        ("99999999999999999999", timedelta(seconds=RETRY_AFTER_MAX_S)),
    ],
    ids=["seconds", "spaces", "http-date", "past-date", "far-date", "absurd"],
)
def test_retry_after_waits_as_asked_within_a_day(value: str, after: timedelta) -> None:
    assert retry_after(value, NOW) == NOW + after
    assert retry_after_seconds(value, NOW) == after.total_seconds()


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5"])
def test_a_missing_or_malformed_retry_after_asks_for_no_wait(value: str | None) -> None:
    assert retry_after(value, NOW) is None
    assert retry_after_seconds(value, NOW) == 0.0
