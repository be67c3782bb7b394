"""Retrieve capture bytes from sources. Today: folders of files. No parsing here."""

from __future__ import annotations

import os
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
    files = []
    try:
        candidates = sorted(root.glob(source.pattern))
    except (OSError, ValueError) as exc:
        raise SourceError(f"source {source.name!r}: cannot list {root}: {exc}") from exc
    for location in candidates:
        relative = location.relative_to(root).as_posix()
        if any(part.startswith(".") for part in Path(relative).parts):
            continue
        try:
            info = location.stat()
        except OSError:
            continue  # vanished between listing and stat: it is simply not there
        if stat.S_ISREG(info.st_mode):
            files.append(
                SourceFile(source.name, relative, location, info.st_size, info.st_mtime_ns)
            )
    return files


def read_file(file: SourceFile) -> bytes:
    """The file's bytes; a `SourceError` naming the file if it cannot be read."""
    try:
        with open(file.location, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise SourceError(f"{file.location}: cannot read: {os.strerror(exc.errno or 0)}") from exc
