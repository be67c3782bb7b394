from datetime import UTC, datetime, timedelta

from feeder.health import SourceHealth, health_report, problems

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
