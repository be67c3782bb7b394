import os
from pathlib import Path

import pytest

from feeder.config import FolderSourceConfig
from feeder.model import SourceFile
from feeder.sources import FileTooLarge, SourceError, list_folder, read_file


def test_folder_listing_matches_the_pattern_and_skips_hidden_files(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", ".a.txt.swp", "notes.md", ".hidden.txt"):
        (tmp_path / name).write_text("x")
    files = list_folder(FolderSourceConfig(name="s", path=tmp_path)).files
    assert [(f.source, f.path, f.size) for f in files] == [("s", "a.txt", 1), ("s", "b.txt", 1)]


@pytest.mark.parametrize("pattern", ["*.txt", "**/*.txt"])
def test_entries_named_like_captures_that_are_no_files_are_named(
    tmp_path: Path, pattern: str
) -> None:
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "dir.txt").mkdir()
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "nothing.txt").symlink_to(tmp_path / "gone")
    os.mkfifo(tmp_path / "pipe.txt")
    listing = list_folder(FolderSourceConfig(name="s", path=tmp_path, pattern=pattern))
    assert [f.path for f in listing.files] == ["a.txt"]
    assert sorted(listing.skipped) == [
        f"{tmp_path}/dir.txt: skipped: not a file (a directory)",
        f"{tmp_path}/loop.txt: skipped: not a file (a symbolic link loop)",
        f"{tmp_path}/nothing.txt: skipped: not a file (a symbolic link to nothing)",
        f"{tmp_path}/pipe.txt: skipped: not a file (a special file)",
    ]


def test_a_recursive_pattern_keeps_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "x.txt").write_text("x")
    files = list_folder(FolderSourceConfig(name="s", path=tmp_path, pattern="**/*.txt")).files
    assert [f.path for f in files] == ["2024/x.txt"]


def test_missing_folder_error_names_the_source_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"source 'news': folder .*/gone does not exist"):
        list_folder(FolderSourceConfig(name="news", path=tmp_path / "gone"))


def test_read_error_names_the_file(tmp_path: Path) -> None:
    missing = SourceFile("s", "gone.txt", str(tmp_path / "gone.txt"), 1, 1)
    with pytest.raises(SourceError, match=r"gone\.txt: cannot read"):
        read_file(missing, 1000)


def test_a_file_above_max_bytes_is_refused_before_and_while_reading(tmp_path: Path) -> None:
    page = tmp_path / "big.txt"
    page.write_bytes(b"x" * 2000)
    listed = SourceFile("s", "big.txt", str(page), 2000, 1)
    with pytest.raises(
        FileTooLarge, match=r"big\.txt: skipped: .*max_bytes \(1,000\): 2,000 bytes"
    ):
        read_file(listed, 1000)
    grown = SourceFile("s", "big.txt", str(page), 10, 1)  # listed before it grew
    with pytest.raises(FileTooLarge, match="grew while being read"):
        read_file(grown, 1000)
