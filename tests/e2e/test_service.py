"""The service's life: scheduled and watched rescans, stopping on signals, and
sharing a database with other feeder processes. Each test runs a real process."""

from __future__ import annotations

import io
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import httpx
import pytest
from conftest import configure
from fixture_server import fixture_server, static
from service_process import ServiceProcess

from feeder.store import Store

NEW_CAPTURE = "06.06.2026\n\nA fresh capture: NATO observers visited Minsk.\n"


def served_titles(client: httpx.Client, path: str = "/all.atom") -> list[str]:
    return [e.title for e in feedparser.parse(io.BytesIO(client.get(path).content)).entries]


def test_polling_picks_up_a_new_capture(workdir: Path) -> None:
    configure(workdir, seeds='interval = "1s"\n')
    with ServiceProcess(workdir) as service, service.client() as client:
        service.wait_for_log(r"refresh seeds: files 5 read")
        (workdir / "seeds" / "005_new.txt").write_text(NEW_CAPTURE)
        service.wait_until(
            lambda: "A fresh capture: NATO observers visited Minsk." in served_titles(client)
        )
        assert "A fresh capture: NATO observers visited Minsk." in served_titles(
            client, "/nato.atom"
        )


def test_watch_publishes_a_dropped_capture_long_before_the_next_poll(workdir: Path) -> None:
    with ServiceProcess(workdir, "--watch") as service, service.client() as client:
        service.wait_for_log(r"refresh seeds: files 5 read")
        service.wait_for_log(r"watch seeds: watching ")
        dropped = time.monotonic()
        (workdir / "seeds" / "005_new.txt").write_text(NEW_CAPTURE)
        service.wait_until(
            lambda: "A fresh capture: NATO observers visited Minsk." in served_titles(client)
        )
        # The interval is the default five minutes: only the watcher can have done this.
        print(f"watch latency: {time.monotonic() - dropped:.2f} s")
        assert service.wait_for_log(r"watch seeds: change seen")


def test_watch_sees_a_folder_created_after_the_start(workdir: Path) -> None:
    configure(workdir, "", seeds="")
    (workdir / "seeds").rename(workdir / "later")
    with ServiceProcess(workdir, "--watch") as service, service.client() as client:
        service.wait_for_log(r"ERROR feeder.service.scheduler: source 'seeds': .*does not exist")
        (workdir / "later").rename(workdir / "seeds")
        service.wait_for_log(r"watch seeds: watching ", timeout=20)
        (workdir / "seeds" / "005_new.txt").write_text(NEW_CAPTURE)
        service.wait_until(
            lambda: "A fresh capture: NATO observers visited Minsk." in served_titles(client)
        )


def test_log_has_one_line_per_refresh_with_counts_and_duration(workdir: Path) -> None:
    (workdir / "seeds" / "bad.txt").write_bytes(b"")
    with ServiceProcess(workdir) as service:
        line = service.wait_for_log(r"refresh seeds: files 6 read.*; \d+\.\d\d s$")[0]
        assert "items 17 new" in line
        assert service.wait_for_log(
            r"WARNING feeder.service.scheduler: refresh seeds: .*bad.txt: empty"
        )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_cancels_a_refresh_waiting_for_the_lock_and_exits_0(
    workdir: Path, sig: signal.Signals
) -> None:
    # This process holds the writer lock, so the service's first refresh is pinned
    # waiting for it when the signal arrives.
    store = Store(f"sqlite:///{workdir / 'feeder.db'}")
    with store.writer_lock(0), ServiceProcess(workdir) as service, service.client() as client:
        service.wait_until(
            lambda: client.get("/health").json()["sources"]["seeds"]["running_since"]
        )
        service.proc.send_signal(sig)
        assert service.proc.wait(timeout=30) == 0
    store.close()
    assert service.wait_for_log(r"refresh seeds: cancelled while waiting")
    assert service.wait_for_log(r"feeder.service.runner: stopped")
    with sqlite3.connect(workdir / "feeder.db") as db:
        assert db.execute("SELECT count(*) FROM items").fetchone() == (0,)


@pytest.mark.slow
def test_sigterm_during_a_big_refresh_exits_0_and_leaves_everything_consistent(
    workdir: Path,
) -> None:
    for n in range(3000):  # enough captures that the first refresh takes a while
        (workdir / "seeds" / f"bulk{n:05d}.txt").write_text(
            f"0{n % 9 + 1}.01.2025\n\nBulk item {n}.\n"
        )
    with ServiceProcess(workdir) as service, service.client() as client:
        service.wait_until(
            lambda: client.get("/health").json()["sources"]["seeds"]["running_since"]
        )
        service.proc.send_signal(signal.SIGTERM)
        assert service.proc.wait(timeout=60) == 0
    with sqlite3.connect(workdir / "feeder.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        items = db.execute("SELECT count(*) FROM items").fetchone()[0]
        files = db.execute("SELECT count(*) FROM source_files").fetchone()[0]
    # Stopped between batches (each batch of 500 files is stored whole with its scan
    # state; the 5 seeds, read first, carry 17 items) or finished: every file recorded
    # as scanned has its items, and nothing else is stored.
    assert files % 500 == 0 or files == 3005
    assert items == (files + 12 if files else 0)
    for feed in (workdir / "feeds").glob("*.atom") if (workdir / "feeds").exists() else []:
        assert not feedparser.parse(io.BytesIO(feed.read_bytes())).bozo
    # The next refresh reads only what was not stored, and ends where a whole run does.
    rerun = subprocess.run(
        [sys.executable, "-m", "feeder", "refresh", "--json"],
        cwd=workdir, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["files_scanned"] == 3005 - files
    with sqlite3.connect(workdir / "feeder.db") as db:
        assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 3017


def test_a_second_service_on_the_same_database_is_refused(workdir: Path) -> None:
    with ServiceProcess(workdir) as first:
        first.wait_for_log(r"refresh seeds: files 5 read")
        second = subprocess.run(
            [sys.executable, "-m", "feeder", "serve", "--port", "0"],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 3
        assert "already serving" in second.stderr and f"pid {first.proc.pid}" in second.stderr
        assert "Traceback" not in second.stderr


def test_refresh_beside_a_running_service_waits_its_turn_and_duplicates_nothing(
    workdir: Path,
) -> None:
    store = Store(f"sqlite:///{workdir / 'feeder.db'}")
    with ServiceProcess(workdir, "--watch") as service, service.client() as client:
        service.wait_for_log(r"refresh seeds: files 5 read")
        service.wait_for_log(r"watch seeds: watching ")
        with store.writer_lock(0):  # both writers below must queue behind this one
            (workdir / "seeds" / "005_new.txt").write_text(NEW_CAPTURE)
            service.wait_until(
                lambda: client.get("/health").json()["sources"]["seeds"]["running_since"]
            )
            manual = subprocess.Popen(
                [sys.executable, "-m", "feeder", "refresh", "--json", "--wait", "60"],
                cwd=workdir,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            time.sleep(0.5)
            assert manual.poll() is None  # waiting, not failing
        out, err = manual.communicate(timeout=120)
        assert manual.returncode == 0, err
        assert json.loads(out)["errors"] == []
        assert "locked" not in err
        service.wait_until(
            lambda: "A fresh capture: NATO observers visited Minsk." in served_titles(client)
        )
        status = subprocess.run(
            [sys.executable, "-m", "feeder", "status", "--json"],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert f'"service_pid": {service.proc.pid}' in status.stdout
    store.close()
    with sqlite3.connect(workdir / "feeder.db") as db:
        assert db.execute("SELECT count(*) FROM items").fetchone() == (18,)
        assert db.execute("SELECT count(*) FROM sightings").fetchone() == (23,)


def test_refresh_gives_up_clearly_when_the_service_keeps_the_database_busy(workdir: Path) -> None:
    store = Store(f"sqlite:///{workdir / 'feeder.db'}")
    with store.writer_lock(0):
        manual = subprocess.run(
            [sys.executable, "-m", "feeder", "refresh", "--wait", "0.3"],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=60,
        )
    store.close()
    assert manual.returncode == 3
    assert "another feeder process" in manual.stderr and "is refreshing" in manual.stderr
    assert "Traceback" not in manual.stderr and "locked" not in manual.stderr


def test_health_is_503_once_a_source_keeps_failing(workdir: Path) -> None:
    configure(
        workdir,
        "",
        seeds='interval = "1s"\n[[sources]]\nname = "gone"\npath = "nowhere"\ninterval = "1s"\n',
    )
    with ServiceProcess(workdir) as service, service.client() as client:
        response = service.wait_until(
            lambda: (r := client.get("/health")).status_code == 503 and r, timeout=20
        )
        body = response.json()
        assert body["status"] == "failing" and body["sources"]["seeds"]["status"] == "ok"
        assert body["sources"]["gone"]["consecutive_failures"] >= 3
        assert "does not exist" in body["sources"]["gone"]["problems"][0]


WEB_FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
    b"<link>https://news.example/</link><description>d</description><item><guid>n1</guid>"
    b"<title>CSTO ministers met in Minsk</title><link>https://news.example/n1</link>"
    b"<pubDate>Mon, 02 Dec 2024 10:00:00 GMT</pubDate></item></channel></rss>"
)


def test_service_log_names_uvicorn_plainly_and_leaves_out_routine_library_lines(
    workdir: Path,
) -> None:
    with fixture_server() as server:
        server.routes["/feed"] = static(WEB_FEED)
        configure(
            workdir,
            seeds=f'\n[[sources]]\nname = "web"\ntype = "feed"\nurl = "{server.url}/feed"\n'
            "allow_private_networks = true\n",
        )
        with ServiceProcess(workdir) as service, service.client() as client:
            service.wait_for_log(r"INFO feeder.service.scheduler: refresh web: ")
            service.wait_for_log(r"INFO feeder.service.scheduler: refresh seeds: ")
            assert client.get("/all.atom").status_code == 200
            assert service.terminate() == 0
        assert server.requests_to("/feed")  # so httpx did make a request
    log = service.lines
    assert [line for line in log if " INFO uvicorn: Started server process" in line]
    assert [line for line in log if " INFO uvicorn: Finished server process" in line]
    assert not [line for line in log if " uvicorn.error: " in line]
    assert not [line for line in log if "Context impl" in line or "transactional DDL" in line]
    assert not [line for line in log if "HTTP Request:" in line or " httpcore" in line]
    assert not [line for line in log if " apscheduler" in line]
