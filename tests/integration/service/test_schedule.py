"""The Monitor in-process: real APScheduler, real refreshes, a real SQLite file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import configure

from feeder import load_settings, make_feeder
from feeder.config import FolderSourceConfig
from feeder.service.scheduler import Monitor, matches_source
from feeder.store import Store
from feeder.web.metrics import Metrics


def wait_for(check, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
def monitor(workdir: Path):  # type: ignore[no-untyped-def]
    feeder = make_feeder(load_settings(cwd=workdir))
    instance = Monitor(feeder, Metrics())
    yield instance
    instance.stop()
    feeder.close()


def test_each_source_is_scanned_at_start_and_its_next_run_recorded(monitor: Monitor) -> None:
    monitor.start()
    wait_for(lambda: monitor.feeder.store.item_count() == 17)
    wait_for(lambda: monitor.feeder.source_statuses()["seeds"].next_run)
    (health,) = monitor.health()
    assert health.failures == 0 and health.next_run is not None and health.interval == 300


def test_a_request_during_a_refresh_runs_once_more_afterwards(
    monitor: Monitor, workdir: Path
) -> None:
    def runs() -> float | None:
        labels = {"source": "seeds", "result": "ok"}
        return monitor.metrics.registry.get_sample_value("feeder_refresh_runs_total", labels)

    # Another process holding the writer lock keeps the first refresh waiting.
    with monitor.feeder.store.writer_lock(0):
        monitor.start()
        wait_for(lambda: monitor.health()[0].running_since)
        (workdir / "seeds" / "005_new.txt").write_text("07.07.2026\n\nAnother capture.\n")
        monitor.request_refresh("seeds")
        monitor.request_refresh("seeds")  # coalesced with the one before
    wait_for(lambda: monitor.feeder.store.item_count() == 18)
    wait_for(lambda: not monitor.health()[0].running_since)
    assert runs() == 2


def test_stop_cancels_a_refresh_waiting_for_the_lock_promptly(
    monitor: Monitor, workdir: Path
) -> None:
    other = Store(f"sqlite:///{workdir / 'feeder.db'}")
    with other.writer_lock(0):
        monitor.start()
        wait_for(lambda: monitor.health()[0].running_since)
        started = time.monotonic()
        assert monitor.stop() is True
        assert time.monotonic() - started < monitor.shutdown_grace
    other.close()
    assert monitor.feeder.item_count() == 0


@pytest.mark.slow
def test_stop_during_a_big_refresh_keeps_all_or_nothing(monitor: Monitor, workdir: Path) -> None:
    for n in range(2000):
        (workdir / "seeds" / f"bulk{n:05d}.txt").write_text(f"01.01.2025\n\nBulk item {n}.\n")
    monitor.start()
    wait_for(lambda: monitor.health()[0].running_since)
    assert monitor.stop() is True
    assert monitor.feeder.item_count() in (0, 2017)


def test_a_change_during_the_last_moments_of_a_refresh_is_not_lost(
    monitor: Monitor, workdir: Path
) -> None:
    monitor.start()
    for n in range(30):  # requests land at every point of the refresh cycle
        (workdir / "seeds" / f"new{n}.txt").write_text(f"02.02.2026\n\nCapture number {n}.\n")
        monitor.request_refresh("seeds")
        time.sleep(0.01 * (n % 5))
    wait_for(lambda: monitor.feeder.item_count() == 17 + 30, timeout=30)


def test_a_failing_source_counts_failures_in_health(workdir: Path) -> None:
    configure(workdir, seeds='interval = "1s"\n')
    (workdir / "seeds").rename(workdir / "moved")
    with make_feeder(load_settings(cwd=workdir)) as feeder:
        monitor = Monitor(feeder, Metrics())
        monitor.start()
        try:
            wait_for(lambda: monitor.health()[0].failures >= 2, timeout=20)
            assert "does not exist" in (monitor.health()[0].last_error or "")
        finally:
            monitor.stop()


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.txt", "a.txt", True),
        ("*.txt", "feeder.db-wal", False),
        ("*.txt", ".a.txt.swp", False),
        ("**/*.txt", "a.txt", True),
        ("**/*.txt", "2024/a.txt", True),
        ("**/*.txt", "2024/.tmp/a.txt", False),
        ("*.txt", "feeds/all.atom", False),
    ],
)
def test_watch_reacts_only_to_files_the_source_reads(
    pattern: str, path: str, expected: bool
) -> None:
    source = FolderSourceConfig(name="s", path=Path("/x"), pattern=pattern)
    assert matches_source(source, path) is expected


def test_a_database_in_the_watched_folder_does_not_cause_endless_rescans(workdir: Path) -> None:
    configure(workdir, 'database_url = "sqlite:///seeds/feeder.db"\n')
    with make_feeder(load_settings(cwd=workdir)) as feeder:
        monitor = Monitor(feeder, Metrics(), watch=True)
        monitor.start()
        try:
            wait_for(lambda: feeder.item_count() == 17)
            time.sleep(2)  # several debounce periods: a feedback loop would rescan meanwhile
            labels = {"source": "seeds", "result": "ok"}
            assert (
                monitor.metrics.registry.get_sample_value("feeder_refresh_runs_total", labels) == 1
            )
        finally:
            monitor.stop()
