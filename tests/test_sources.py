from pathlib import Path

import pytest

from feeder.config import FolderSourceConfig
from feeder.model import SourceFile
from feeder.sources import SourceError, list_folder, read_file


def test_folder_listing_matches_the_pattern_and_skips_hidden_files(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", ".a.txt.swp", "notes.md", ".hidden.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "dir.txt").mkdir()
    files = list_folder(FolderSourceConfig(name="s", path=tmp_path))
    assert [(f.source, f.path, f.size) for f in files] == [("s", "a.txt", 1), ("s", "b.txt", 1)]


def test_a_recursive_pattern_keeps_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "x.txt").write_text("x")
    files = list_folder(FolderSourceConfig(name="s", path=tmp_path, pattern="**/*.txt"))
    assert [f.path for f in files] == ["2024/x.txt"]


def test_missing_folder_error_names_the_source_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"source 'news': folder .*/gone does not exist"):
        list_folder(FolderSourceConfig(name="news", path=tmp_path / "gone"))


def test_read_error_names_the_file(tmp_path: Path) -> None:
    missing = SourceFile("s", "gone.txt", str(tmp_path / "gone.txt"), 1, 1)
    with pytest.raises(SourceError, match=r"gone\.txt: cannot read"):
        read_file(missing)
