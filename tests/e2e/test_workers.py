"""Several `feeder serve` workers sharing one PostgreSQL database: real processes
watching one folder of overlapping captures, and one killed in the middle of a scan."""

from __future__ import annotations

import os
import re
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy
from service_process import ServiceProcess

from feeder.store import Store

pytestmark = pytest.mark.slow

SOURCES = 8
WORKERS = 4
POOL = 1500  # distinct news items; each capture repeats 4 of them


def capture(items: list[int]) -> str:
    """A listing page in the seed format with the news items numbered `items`."""
    return "".join(
        f"{1 + i % 28:02d}.{1 + i % 12:02d}.{2015 + i % 10}\n\n"
        f"Report {i}: the council met in Minsk to discuss peacekeeping and drills.\n\n\n"
        for i in items
    )


def write_captures(folder: Path, numbers: range, pool: range) -> set[int]:
    """Captures `s<k>-<n>.txt`, source k = n mod 8, each repeating items of `pool` that
    other captures (of this and other sources) repeat too. Returns the items used."""
    used: set[int] = set()
    for n in numbers:
        items = [pool[(n * 3 + j * 11) % len(pool)] for j in range(4)]
        used.update(items)
        (folder / f"s{n % SOURCES}-{n:04d}.txt").write_text(capture(items), encoding="utf-8")
    return used


def worker_config(folder: Path, captures: Path, database_url: str) -> Path:
    sources = "".join(
        f'\n[[sources]]\nname = "s{k}"\npath = "{captures}"\npattern = "s{k}-*.txt"\n'
        'interval = "1s"\n'
        for k in range(SOURCES)
    )
    folder.mkdir()
    (folder / "feeder.toml").write_text(
        f'database_url = "{database_url}"\nsource_lease = "3s"\n{sources}', encoding="utf-8"
    )
    return folder


def query(engine: sqlalchemy.Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(sql)]


def wait_for(check, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_four_workers_share_the_sources_store_each_item_once_and_survive_a_kill(
    tmp_path: Path, postgres_schema_url: str
) -> None:
    setup = Store(postgres_schema_url, check_schema=False)
    setup.upgrade_schema()
    setup.close()
    captures = tmp_path / "captures"
    captures.mkdir()
    expected = write_captures(captures, range(600), range(POOL))
    engine = sqlalchemy.create_engine(postgres_schema_url)
    workers = [
        ServiceProcess(
            worker_config(tmp_path / f"worker{w}", captures, postgres_schema_url), "--watch"
        )
        for w in range(WORKERS)
    ]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.wait_for_log(r"watch s7: watching")
        # More captures arrive while they work: the watchers see them.
        expected |= write_captures(captures, range(600, 1000), range(POOL))

        def all_scanned() -> bool:
            files = query(engine, "SELECT count(*) FROM source_files")[0][0]
            return files == 1000 and query(engine, "SELECT count(*) FROM items")[0][0] == len(
                expected
            )

        wait_for(all_scanned, 120, "every capture to be stored")
        assert query(engine, "SELECT key FROM items GROUP BY key HAVING count(*) > 1") == []
        mentions = {(n, i) for n in range(1000) for i in _items_of(n)}
        assert query(engine, "SELECT count(*) FROM sightings")[0][0] == len(mentions)
        scanned = query(engine, "SELECT source FROM source_status WHERE last_success IS NOT NULL")
        assert sorted(s for (s,) in scanned) == [f"s{k}" for k in range(SOURCES)]

        # Every worker answers every feed with the same bytes and ETag.
        for path in ("/all.atom", "/peacekeeping.rss"):
            answers = set()
            for worker in workers:
                with worker.client() as client:
                    response = client.get(path, headers={"accept-encoding": "identity"})
                assert response.status_code == 200
                answers.add((response.content, response.headers["etag"]))
            assert len(answers) == 1, path

        # A worker killed in the middle of a scan: its lease expires, another takes over.
        def busy() -> list[ServiceProcess]:  # workers that finished a refresh reading files
            return [
                w
                for w in workers
                if any(re.search(r"refresh s\d: files [1-9]", x) for x in w.lines)
            ]

        wait_for(lambda: len(busy()) >= 2, 120, "two workers to log a refresh that read files")
        killed_at, source, dead = _kill_a_worker_mid_scan(captures, engine, workers, expected)
        survivors = {f":{w.proc.pid}:" for w in workers if w not in dead}

        def taken_over() -> bool:
            ((holder, success),) = query(
                engine,
                "SELECT l.holder, s.last_success FROM source_leases l JOIN source_status s"
                f" USING (source) WHERE source = '{source}'",
            )
            return (
                any(pid in holder for pid in survivors)
                and success is not None
                and (success.replace(tzinfo=UTC) >= killed_at.replace(microsecond=0))
            )

        wait_for(taken_over, 60, f"another worker to rescan {source}")
        wait_for(
            lambda: query(engine, "SELECT count(*) FROM items")[0][0] == len(expected),
            60,
            "the killed worker's captures to be stored",
        )
        for worker in workers:
            if worker not in dead:
                assert worker.terminate() == 0
        for worker in workers:
            problems = [
                line
                for line in worker.lines
                if " ERROR " in line or "Traceback" in line or "deadlock" in line
            ]
            assert problems == [], "\n".join(problems)
    finally:
        for worker in workers:
            worker.__exit__()
        engine.dispose()


def _items_of(n: int) -> list[int]:
    return [(n * 3 + j * 11) % POOL for j in range(4)]


def _kill_a_worker_mid_scan(
    captures: Path,
    engine: sqlalchemy.Engine,
    workers: list[ServiceProcess],
    expected: set[int],
) -> tuple[datetime, str, list[ServiceProcess]]:
    """Drop a large batch into one source and SIGKILL whichever worker leases it while
    it still holds the lease; retried with a new batch if the scan ends first."""
    by_pid = {w.proc.pid: w for w in workers}
    dead: list[ServiceProcess] = []
    for attempt in range(3):
        start = 2000 + attempt * 400
        # Source s0 only (n mod 8 == 0); its own new items plus repeats of old ones.
        numbers = range(start, start + 8 * 400, 8)
        new_pool = range(POOL + attempt * 2000, POOL + attempt * 2000 + 1200)
        expected |= write_captures(captures, numbers, new_pool)

        def holder() -> tuple[int, datetime] | None:
            now = datetime.now(UTC).replace(tzinfo=None)
            rows = query(engine, "SELECT holder, expires_at FROM source_leases WHERE source = 's0'")
            if rows and rows[0][1] > now and rows[0][0]:
                return int(rows[0][0].split(":")[1]), rows[0][1]
            return None

        pid, _ = wait_for(holder, 30, "a worker to lease s0")
        os.kill(pid, signal.SIGKILL)
        killed_at = datetime.now(UTC)
        by_pid[pid].proc.wait(10)
        dead.append(by_pid[pid])
        still_held = holder()
        if still_held is not None and still_held[0] == pid:
            return killed_at, "s0", dead
        # The scan ended between the look and the kill: again, with another worker.
    raise AssertionError("could not kill a worker in the middle of a scan")
