"""Retrieve capture bytes from sources. Today: folders of files. No parsing here."""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from pathlib import Path

from ..config import FolderSourceConfig
from ..model import SourceFile


class SourceError(Exception):
    """A source or one of its files cannot be read; the message names it."""


def list_folder(source: FolderSourceConfig) -> list[SourceFile]:
    """Every file in the folder matching the source's pattern, with its size and mtime.

    Only `stat` is called: deciding what changed must not read unchanged files.
    Hidden files (editor swap files, partial downloads) are ignored.
    """
    root = Path(source.path)
    if not root.is_dir():
        raise SourceError(f"source {source.name!r}: folder {root} does not exist")
    try:
        if "/" not in source.pattern:
            return _list_one_folder(source.name, root, source.pattern)
        candidates = _matching(root, source.pattern)
    except (OSError, ValueError) as exc:
        raise SourceError(f"source {source.name!r}: cannot list {root}: {exc}") from exc
    files = []
    for relative, location, info in candidates:
        if f"/{relative}".find("/.") >= 0:  # a hidden file, or one in a hidden folder
            continue
        if info is not None and stat.S_ISREG(info.st_mode):
            files.append(
                SourceFile(source.name, relative, location, info.st_size, info.st_mtime_ns)
            )
    return files


def _list_one_folder(source: str, root: Path, pattern: str) -> list[SourceFile]:
    """The files of one folder (the usual `*.txt`), sorted: one `listdir` and a `stat`
    per file relative to the open folder, with plain strings. A rescan of 10,000
    unchanged files is mostly this loop, so it does no more than that per file."""
    suffix = pattern[1:]
    by_suffix = pattern.startswith("*") and not any(c in suffix for c in "*?[]")  # `*.txt`
    wanted = re.compile(fnmatch.translate(pattern)).match
    is_regular, stat_of = stat.S_ISREG, os.stat
    prefix = f"{root}{os.sep}"
    files = []
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in sorted(os.listdir(folder)):
            if name[0] == "." or not (name.endswith(suffix) if by_suffix else wanted(name)):
                continue  # hidden (editor swap files, partial downloads) or not wanted
            try:
                info = stat_of(name, dir_fd=folder)
            except OSError:
                continue  # vanished between listing and stat: it is simply not there
            if is_regular(info.st_mode):
                files.append(
                    SourceFile(source, name, prefix + name, info.st_size, info.st_mtime_ns)
                )
    finally:
        os.close(folder)
    return files


def _matching(root: Path, pattern: str) -> list[tuple[str, str, os.stat_result | None]]:
    """(relative path, path, stat or None if it vanished) of every file under `root`
    matching a pattern that reaches into subfolders, sorted."""
    found = sorted((p.relative_to(root).as_posix(), str(p)) for p in root.glob(pattern))
    return [(relative, path, _stat(path)) for relative, path in found]


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None  # vanished between listing and stat: it is simply not there


def read_file(file: SourceFile) -> bytes:
    """The file's bytes; a `SourceError` naming the file if it cannot be read."""
    try:
        with open(file.location, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise SourceError(f"{file.location}: cannot read: {os.strerror(exc.errno or 0)}") from exc
