"""`feeder refresh` killed with SIGKILL at many moments of a cold ingest, and two
refreshes started together (issue 7). After a kill the database passes SQLite's
integrity check, every published file is whole, and the next refresh ends in
exactly the state an uninterrupted run reaches."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import feedparser
import pytest

pytestmark = pytest.mark.slow

KILLS = 20
_WORDS = ["NATO", "Belarus", "Russia", "Kazakhstan", "CSTO", "summit", "exercise", "border",
          "trade", "elections", "Armenia", "Kyrgyzstan", "drills", "treaty"]  # fmt: skip


def _write_dated_corpus(folder: Path, files: int, per_file: int, seed: int) -> None:
    """Listing captures with explicit dates only, re-capturing about 30% of entries:
    what is published then depends on the captures alone, not on when a refresh ran."""
    rng = random.Random(seed)
    folder.mkdir()
    seen: list[str] = []
    for number in range(files):
        blocks = []
        for _ in range(per_file):
            if seen and rng.random() < 0.3:
                blocks.append(rng.choice(seen))
                continue
            day = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
            words = " and ".join(rng.sample(_WORDS, 2))
            entry = f"{day:%d.%m.%Y}\n\nReport {len(seen)} on {words}. More text follows here."
            seen.append(entry)
            blocks.append(entry)
        (folder / f"{number:05d}.txt").write_text("\n\n\n".join(blocks) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus") / "captures"
    _write_dated_corpus(folder, files=2000, per_file=2, seed=11)
    return folder


def _workdir(parent: Path, name: str, captures: Path) -> Path:
    work = parent / name
    work.mkdir()
    (work / "feeder.toml").write_text(
        f'[[sources]]\nname = "captures"\npath = "{captures}"\n', encoding="utf-8"
    )
    return work


def _refresh_command(work: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "feeder",
        "refresh",
        "--quiet",
        "--config",
        str(work / "feeder.toml"),
    ]


def _refresh(work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_refresh_command(work), capture_output=True, text=True, timeout=300)


def _published(work: Path) -> dict[str, bytes]:
    """Every visible file under feeds/ (temporary files are hidden), by relative path."""
    feeds = work / "feeds"
    if not feeds.exists():
        return {}
    return {
        path.relative_to(feeds).as_posix(): path.read_bytes()
        for path in feeds.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }


def _keys(work: Path) -> list[str]:
    with sqlite3.connect(work / "feeder.db") as db:
        return [key for (key,) in db.execute("SELECT key FROM items ORDER BY key")]


def _assert_consistent(work: Path) -> int:
    """Integrity and whole files after a kill; the number of items stored by then."""
    database = work / "feeder.db"
    stored = 0
    if database.exists():
        with sqlite3.connect(database) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
            if "items" in tables:
                stored = db.execute("SELECT count(*) FROM items").fetchone()[0]
    for name, data in _published(work).items():
        if name.endswith((".atom", ".rss")):
            parsed = feedparser.parse(data)
            assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        elif name.endswith(".html"):
            assert data.rstrip().endswith(b"</html>"), name
        elif name.endswith(".opml"):
            ET.fromstring(data)
    return stored


@pytest.fixture(scope="module")
def reference(captures: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """An uninterrupted cold refresh, and how long it took."""
    work = _workdir(tmp_path_factory.mktemp("reference"), "work", captures)
    started = time.monotonic()
    done = _refresh(work)
    assert done.returncode == 0, done.stderr
    return work, time.monotonic() - started


def test_sigkill_at_20_moments_loses_nothing_and_half_writes_nothing(
    captures: Path, reference: tuple[Path, float], tmp_path: Path
) -> None:
    expected, duration = reference
    expected_keys, expected_files = _keys(expected), _published(expected)
    stored_at_kill = []
    attempt = 0
    while len(stored_at_kill) < KILLS:
        assert attempt < 3 * KILLS, f"only {len(stored_at_kill)} refreshes were still running"
        # Moments spread over the whole run, start-up to the last published file.
        moment = duration * (0.03 + 0.94 * (len(stored_at_kill) + 0.5) / KILLS)
        moment *= 0.8 ** (attempt - len(stored_at_kill))  # ran faster than the reference
        work = _workdir(tmp_path, f"kill-{attempt}", captures)
        attempt += 1
        process = subprocess.Popen(_refresh_command(work), stderr=subprocess.PIPE)
        time.sleep(moment)
        if process.poll() is not None:  # finished before the kill: try an earlier moment
            process.communicate()
            continue
        process.kill()
        process.communicate()
        stored_at_kill.append(_assert_consistent(work))
        recovered = _refresh(work)
        assert recovered.returncode == 0, recovered.stderr
        assert "Traceback" not in recovered.stderr
        assert _keys(work) == expected_keys
        assert _published(work) == expected_files
        # What the killed refresh was writing is gone too, not left for a server to serve.
        assert not list((work / "feeds").rglob(".*.tmp"))
    # The kills landed before, during and after the items were stored.
    assert min(stored_at_kill) < len(expected_keys) and max(stored_at_kill) > 0, stored_at_kill


def test_two_refreshes_started_together_both_finish_complete(
    captures: Path, reference: tuple[Path, float], tmp_path: Path
) -> None:
    expected, _ = reference
    work = _workdir(tmp_path, "work", captures)
    processes = [
        subprocess.Popen(_refresh_command(work), stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        assert "database is locked" not in stderr and "Traceback" not in stderr
    assert _keys(work) == _keys(expected)
    assert _published(work) == _published(expected)
