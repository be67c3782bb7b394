from datetime import UTC, datetime, timedelta

from feeder.health import BACKOFF_CAP_S, SourceHealth, backoff_interval, health_report, problems

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def source(**changes: object) -> SourceHealth:
    base = dict(
        name="seeds",
        interval=300.0,
        last_scan=NOW - timedelta(minutes=2),
        last_success=NOW - timedelta(minutes=2),
        failures=0,
        last_error=None,
        next_run=NOW + timedelta(minutes=3),
        running_since=None,
        watching_since=NOW - timedelta(hours=1),
    )
    return SourceHealth(**(base | changes))  # type: ignore[arg-type]


def test_a_source_scanned_on_time_is_healthy() -> None:
    assert problems(source(), NOW) == []


def test_several_failures_in_a_row_make_a_source_unhealthy() -> None:
    assert problems(source(failures=2, last_error="gone"), NOW) == []
    assert problems(source(failures=3, last_error="folder gone"), NOW) == [
        "failed 3 scans in a row: folder gone"
    ]


def test_a_refresh_running_far_longer_than_its_interval_is_a_problem() -> None:
    hung = source(running_since=NOW - timedelta(minutes=16), last_scan=NOW - timedelta(minutes=20))
    assert problems(hung, NOW) == ["a refresh has been running for 960 s (interval 300 s)"]
    assert problems(source(running_since=NOW - timedelta(minutes=5)), NOW) == []


def test_a_long_overdue_scan_is_a_problem_even_without_errors() -> None:
    # What a silently skipped APScheduler job looks like: nothing runs, nothing fails.
    stale = source(last_scan=NOW - timedelta(minutes=20), last_success=NOW - timedelta(minutes=20))
    assert problems(stale, NOW) == ["no scan for 1200 s (interval 300 s)"]


def test_short_intervals_get_a_floor_before_counting_as_hung() -> None:
    quick = source(interval=1.0, running_since=NOW - timedelta(seconds=30))
    assert problems(quick, NOW) == []


def test_report_is_failing_when_any_source_is() -> None:
    ok, body = health_report([source(), source(name="web", failures=5, last_error="x")], 17, NOW)
    assert not ok and body["status"] == "failing" and body["items"] == 17
    assert body["sources"]["seeds"]["status"] == "ok"
    assert body["sources"]["web"]["consecutive_failures"] == 5


def test_back_off_doubles_per_failure_up_to_a_cap_and_resets() -> None:
    assert [backoff_interval(60, n) for n in range(4)] == [60, 120, 240, 480]
    assert backoff_interval(60, 50) == BACKOFF_CAP_S
    assert backoff_interval(86_400, 3) == 86_400  # never shorter than the interval


def test_a_source_paused_by_retry_after_is_not_overdue() -> None:
    paused = source(last_scan=NOW - timedelta(hours=2), paused_until=NOW + timedelta(hours=1))
    assert problems(paused, NOW) == []
