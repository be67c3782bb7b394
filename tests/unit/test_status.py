"""A source judged from its recorded scans: back-off, pause and standing, as `feeder
status` shows them and the scheduler paces by them."""

from datetime import UTC, datetime, timedelta

from feeder.core.status import DEGRADED, FAILING, OK, source_report
from feeder.model import SourceStatus

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def scans(failures: int = 0, last_success: datetime | None = NOW) -> SourceStatus:
    return SourceStatus("web", NOW, last_success, failures, "HTTP 500" if failures else None, None)


def test_a_healthy_source_keeps_its_interval() -> None:
    report = source_report(scans(), "https://example.org/feed", 600, NOW)
    assert (report.name, report.failures, report.next_interval, report.standing) == (
        "web",
        0,
        600,
        OK,
    )
    assert report.worker is None and not report.scanning and not report.paused(NOW)


def test_failures_back_off_and_crashes_count_as_failures() -> None:
    report = source_report(scans(failures=1, last_success=None), "u", 600, NOW, crashes=2)
    assert (report.failures, report.next_interval, report.standing) == (3, 4800, FAILING)
    assert report.scans.failures == 1  # the record itself is left as it is


def test_a_source_that_never_worked_is_degraded_before_it_is_failing() -> None:
    report = source_report(scans(failures=1, last_success=None), "u", 600, NOW)
    assert report.standing == DEGRADED


def test_a_pause_holds_until_its_moment() -> None:
    until = NOW + timedelta(hours=1)
    report = source_report(scans(), "u", 600, NOW, paused_until=until, scanner=("w1", True))
    assert report.paused(NOW) and not report.paused(until)
    assert (report.worker, report.scanning) == ("w1", True)
