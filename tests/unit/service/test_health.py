from datetime import UTC, datetime, timedelta

from feeder.backoff import BACKOFF_CAP_S, backoff_interval
from feeder.core.status import scan_standing
from feeder.service.health import SourceHealth, health_report, judge, problems

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


def test_a_source_that_never_succeeded_and_failed_once_is_degraded() -> None:
    never = source(
        last_success=None,
        failures=1,
        last_error="HTTP 500",
        watching_since=NOW - timedelta(minutes=5),
    )
    assert judge(never, NOW) == (
        "degraded",
        ["no successful scan since the service started, 1 failed: HTTP 500"],
    )


def test_a_source_that_worked_only_before_the_service_started_is_degraded() -> None:
    # Its success may have been under another configuration: nothing proves it works now.
    before = source(
        last_success=NOW - timedelta(hours=2),
        watching_since=NOW - timedelta(minutes=5),
        failures=1,
        last_error="HTTP 404",
    )
    assert judge(before, NOW)[0] == "degraded"


def test_one_failure_after_a_success_since_the_start_is_still_ok() -> None:
    blip = source(last_success=NOW - timedelta(minutes=6), failures=1, last_error="timeout")
    assert judge(blip, NOW) == ("ok", [])


def test_failing_for_three_intervals_is_failing_before_three_failures() -> None:
    # Hourly source: back-off waits 2 h after the first failure and 4 h after the
    # second, so the third failure would come 6 h into the outage.
    hourly = source(
        interval=backoff_interval(3600, 2),
        configured_interval=3600.0,
        watching_since=NOW - timedelta(days=1),
        last_scan=NOW - timedelta(hours=1),
        last_success=NOW - timedelta(hours=3, minutes=1),
        failures=2,
        last_error="HTTP 503",
        next_run=NOW + timedelta(hours=3),
    )
    assert judge(hourly, NOW) == (
        "failing",
        ["no successful scan for 10860 s (2 failed in a row, interval 3600 s): HTTP 503"],
    )
    recent = source(
        interval=backoff_interval(3600, 1),
        configured_interval=3600.0,
        watching_since=NOW - timedelta(days=1),
        last_scan=NOW - timedelta(hours=1),
        last_success=NOW - timedelta(hours=2),
        failures=1,
        last_error="HTTP 503",
    )
    assert judge(recent, NOW)[0] == "ok"


def test_a_source_failing_since_the_start_is_failing_after_three_intervals() -> None:
    never = source(
        interval=backoff_interval(300, 1),
        configured_interval=300.0,
        last_success=None,
        failures=1,
        last_error="HTTP 500",
        watching_since=NOW - timedelta(minutes=16),
        last_scan=NOW - timedelta(minutes=1),
    )
    assert judge(never, NOW) == (
        "failing",
        ["no successful scan yet for 960 s (1 failed in a row, interval 300 s): HTTP 500"],
    )


def test_a_server_asking_to_wait_suspends_the_time_rule_not_the_count() -> None:
    paused = source(
        last_success=NOW - timedelta(hours=5),
        last_scan=NOW - timedelta(hours=1),
        failures=1,
        last_error="HTTP 429",
        paused_until=NOW + timedelta(hours=1),
    )
    assert problems(paused, NOW) == []
    assert problems(source(failures=3, last_error="HTTP 429", paused_until=NOW), NOW)


def test_a_degraded_source_makes_the_report_degraded_but_still_healthy() -> None:
    degraded = source(
        name="web",
        last_success=None,
        failures=1,
        last_error="HTTP 500",
        watching_since=NOW - timedelta(minutes=5),
    )
    healthy, body = health_report([source(), degraded], 17, NOW)
    assert healthy and body["status"] == "degraded"
    assert body["sources"]["web"]["status"] == "degraded" and body["sources"]["web"]["problems"]
    failing = source(name="down", failures=3, last_error="x")
    healthy, body = health_report([degraded, failing], 17, NOW)
    assert not healthy and body["status"] == "failing"


def test_status_standing_without_a_service_judges_scans_alone() -> None:
    assert scan_standing(0, NOW, 300, NOW) == "ok"
    assert scan_standing(1, None, 300, NOW) == "degraded"
    assert scan_standing(1, NOW - timedelta(minutes=5), 300, NOW) == "ok"
    assert scan_standing(1, NOW - timedelta(minutes=16), 300, NOW) == "failing"
    assert scan_standing(3, None, 300, NOW) == "failing"
