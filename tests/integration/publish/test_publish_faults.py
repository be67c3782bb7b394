"""Publishing onto a full disk and a read-only one (issue 7): `feeds/` is a small
tmpfs mounted by the test (the suite runs as root, so permission bits alone would
not stop a write). The refresh reports the error naming the file, the previous
feeds stay as they were, the database stays consistent, and once the disk has room
again the next refresh publishes what was missed."""

from __future__ import annotations

import errno
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from feeder.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()
NEW_CAPTURE = "05.01.2025\n\nNATO observers visited Minsk again.\n"


def _refresh(workdir: Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["refresh", "--quiet", "--config", str(workdir / "feeder.toml")])


def _refreshed(workdir: Path) -> None:
    result = _refresh(workdir)
    assert result.exit_code == 0, result.output


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"mount {' '.join(args)} failed (the test needs root): {done.stderr}")


@pytest.fixture
def small_feeds(workdir: Path) -> Iterator[Path]:
    """`workdir/feeds` on an 8 MB tmpfs of its own."""
    feeds = workdir / "feeds"
    feeds.mkdir()
    _mount("-t", "tmpfs", "-o", "size=8m,mode=0755", "tmpfs", str(feeds))
    try:
        yield feeds
    finally:
        subprocess.run(["umount", "-l", str(feeds)], check=False)


def _visible(feeds: Path) -> dict[str, bytes]:
    return {
        p.relative_to(feeds).as_posix(): p.read_bytes()
        for p in feeds.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name != "filler"
    }


def _fill(feeds: Path) -> None:
    # Unbuffered: a buffered file would hold the bytes that did not fit and fail again
    # when closed, depending on how much room the published files happened to leave.
    with open(feeds / "filler", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def _assert_database_consistent(workdir: Path, items: int) -> None:
    with sqlite3.connect(workdir / "feeder.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("SELECT count(*) FROM items").fetchone()[0] == items


def _new_item_published(feeds: Path) -> bool:
    parsed = feedparser.parse((feeds / "all.atom").read_bytes())
    return any(entry.title == "NATO observers visited Minsk again." for entry in parsed.entries)


def test_a_full_disk_keeps_the_previous_feeds_and_the_next_refresh_catches_up(
    workdir: Path, small_feeds: Path
) -> None:
    _refreshed(workdir)
    before = _visible(small_feeds)
    _fill(small_feeds)
    (workdir / "seeds" / "005_new.txt").write_text(NEW_CAPTURE, encoding="utf-8")
    result = _refresh(workdir)
    assert result.exit_code == 3
    assert "publishing failed" in result.stderr and "No space left on device" in result.stderr
    assert str(small_feeds) in result.stderr  # the file it could not write
    assert _visible(small_feeds) == before
    _assert_database_consistent(workdir, 18)
    (small_feeds / "filler").unlink()
    _refreshed(workdir)
    assert _new_item_published(small_feeds)
    assert not [p for p in small_feeds.rglob(".*.tmp")]  # no temporary file left behind


def test_a_read_only_disk_keeps_the_previous_feeds_and_the_next_refresh_catches_up(
    workdir: Path, small_feeds: Path
) -> None:
    _refreshed(workdir)
    before = _visible(small_feeds)
    _mount("-o", "remount,ro", str(small_feeds))
    (workdir / "seeds" / "005_new.txt").write_text(NEW_CAPTURE, encoding="utf-8")
    result = _refresh(workdir)
    assert result.exit_code == 3
    assert "publishing failed" in result.stderr and "Read-only file system" in result.stderr
    assert _visible(small_feeds) == before
    _assert_database_consistent(workdir, 18)
    _mount("-o", "remount,rw", str(small_feeds))
    _refreshed(workdir)
    assert _new_item_published(small_feeds)
