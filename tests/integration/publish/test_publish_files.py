"""Temporary files in `feeds/` (issue: killed refreshes leave litter). A writer killed
between writing a temporary file and renaming it leaves the file behind; the next
refresh removes every such file of feeder's whose writer has ended or that is older
than any write takes, and keeps a live writer's and every file that is not feeder's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feeder import Feeder, Settings
from feeder.publish import files
from feeder.publish.files import STALE_TEMP_SECONDS, write_if_changed

# A writer killed (SIGKILL) after writing each temporary file, before renaming any.
_KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from feeder.publish.files import write_if_changed
os.replace = lambda *args: None  # the rename never happens
for path in sys.argv[1:]:
    write_if_changed(Path(path), b"half a feed")
os.kill(os.getpid(), signal.SIGKILL)
"""


def _temp_files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob(".*.tmp")}


def _killed_writer_leaves(paths: list[Path]) -> None:
    done = subprocess.run([sys.executable, "-c", _KILLED_WRITER, *map(str, paths)])
    assert done.returncode == -9


def _aged(path: Path, seconds: float) -> Path:
    path.write_bytes(b"left over")
    at = time.time() - seconds
    os.utime(path, (at, at))
    return path


def test_refresh_removes_temp_files_of_killed_writers_and_keeps_live_ones(
    feeder: Feeder, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeder.refresh()
    feeds = settings.feeds_dir
    item_page = next((feeds / "items").glob("*.html"))
    archive = feeds / "archive" / "all" / "page-1.atom"  # its folder exists, pages or not
    _killed_writer_leaves([feeds / "all.atom", archive, item_page, feeds / "items" / "new.html"])
    killed = _temp_files(feeds)
    assert len(killed) == 4 and {Path(name).parent.name for name in killed} == {
        "",
        "all",
        "items",
    }
    # A writer of this process, alive, between its write and its rename.
    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", lambda *args: None)
        write_if_changed(feeds / "nato.atom", b"being written")
    (live,) = _temp_files(feeds) - killed
    # Another machine's (or container's) writers: alive unless too old for any write.
    other = "feeder-12345-0badcafe"
    elsewhere_old = _aged(feeds / f".all.rss.{other}-0a0b0c0d.tmp", STALE_TEMP_SECONDS + 60)
    elsewhere_new = _aged(feeds / "items" / f".x.html.{other}-01020304.tmp", 5)
    # What feeder wrote before its temporary files named their process.
    earlier_old = _aged(archive.parent / f".{archive.name}.5b35edf6.tmp", STALE_TEMP_SECONDS + 60)
    earlier_new = _aged(feeds / ".all.json.1a2b3c4d.tmp", 5)
    # Not feeder's, however old.
    others = [_aged(feeds / name, 86400) for name in (".notes.tmp", "draft.tmp", ".a.feeder.tmp")]

    feeder.refresh()

    remaining = _temp_files(feeds)
    assert not killed & remaining
    assert live in remaining
    assert not elsewhere_old.exists() and elsewhere_new.exists()
    assert not earlier_old.exists() and earlier_new.exists()
    assert all(path.exists() for path in others)
    assert (feeds / "all.atom").read_bytes() != b"half a feed"


def test_temp_file_names_say_they_are_feeders_and_which_process_wrote_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "replace", lambda *args: None)
    write_if_changed(tmp_path / "all.atom", b"data")
    (temp,) = tmp_path.glob(".*.tmp")
    assert temp.name.startswith(f".all.atom.feeder-{os.getpid()}-")
    assert not files.is_stale_temp_file(temp.name, age=1.0)
    assert files.is_stale_temp_file(temp.name, age=STALE_TEMP_SECONDS + 1)
