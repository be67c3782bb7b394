"""Retrieve capture bytes from sources. Today: folders of files. No parsing here."""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from feeder.config import FolderSourceConfig
from feeder.errors import FileTooLarge, SourceError
from feeder.model import SourceFile


@dataclass
class FolderListing:
    """The files of a folder, and why entries matching its pattern were passed over
    (a directory named like a capture, a symbolic link loop), one message each."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def list_folder(source: FolderSourceConfig) -> FolderListing:
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
    listing = FolderListing()
    for relative, location, info in candidates:
        if f"/{relative}".find("/.") >= 0:  # a hidden file, or one in a hidden folder
            continue
        if isinstance(info, OSError):
            _pass_over(listing, location, info)
        elif stat.S_ISREG(info.st_mode):
            listing.files.append(
                SourceFile(source.name, relative, location, info.st_size, info.st_mtime_ns)
            )
        else:
            _pass_over(listing, location, info)
    return listing


def _pass_over(listing: FolderListing, location: str, why: os.stat_result | OSError) -> None:
    """Note an entry that matches the pattern but is no capture; one that vanished
    since the listing is simply not there."""
    if isinstance(why, OSError):
        if why.errno == errno.ENOENT and not os.path.islink(location):
            return
        reason = {
            errno.ELOOP: "a symbolic link loop",
            errno.ENOENT: "a symbolic link to nothing",
        }.get(why.errno or 0) or os.strerror(why.errno or 0)
    else:
        reason = "a directory" if stat.S_ISDIR(why.st_mode) else "a special file"
    listing.skipped.append(f"{location}: skipped: not a file ({reason})")


def _list_one_folder(source: str, root: Path, pattern: str) -> FolderListing:
    """The files of one folder (the usual `*.txt`), sorted: one `listdir` and a `stat`
    per file relative to the open folder, with plain strings. A rescan of 10,000
    unchanged files is mostly this loop, so it does no more than that per file."""
    suffix = pattern[1:]
    by_suffix = pattern.startswith("*") and not any(c in suffix for c in "*?[]")  # `*.txt`
    wanted = re.compile(fnmatch.translate(pattern)).match
    is_regular, stat_of = stat.S_ISREG, os.stat
    prefix = f"{root}{os.sep}"
    listing = FolderListing()
    files = listing.files
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in sorted(os.listdir(folder)):
            if name[0] == "." or not (name.endswith(suffix) if by_suffix else wanted(name)):
                continue  # hidden (editor swap files, partial downloads) or not wanted
            try:
                info = stat_of(name, dir_fd=folder)
            except OSError as exc:
                _pass_over(listing, prefix + name, exc)
                continue
            if is_regular(info.st_mode):
                files.append(
                    SourceFile(source, name, prefix + name, info.st_size, info.st_mtime_ns)
                )
            else:
                _pass_over(listing, prefix + name, info)
    finally:
        os.close(folder)
    return listing


def _matching(root: Path, pattern: str) -> list[tuple[str, str, os.stat_result | OSError]]:
    """(relative path, path, stat or why it failed) of every entry under `root`
    matching a pattern that reaches into subfolders, sorted."""
    found = sorted((p.relative_to(root).as_posix(), str(p)) for p in root.glob(pattern))
    return [(relative, path, _stat(path)) for relative, path in found]


def _stat(path: str) -> os.stat_result | OSError:
    try:
        return os.stat(path)
    except OSError as exc:
        return exc


def read_file(file: SourceFile, max_bytes: int) -> bytes:
    """The file's bytes; a `SourceError` naming the file if it cannot be read, and
    `FileTooLarge` above `max_bytes`, checked before reading and while reading (a
    file may grow in between): memory stays bounded whatever lands in the folder."""
    too_large = f"{file.location}: skipped: larger than the source's max_bytes ({max_bytes:,})"
    if file.size > max_bytes:
        raise FileTooLarge(f"{too_large}: {file.size:,} bytes")
    try:
        with open(file.location, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise SourceError(f"{file.location}: cannot read: {os.strerror(exc.errno or 0)}") from exc
    if len(data) > max_bytes:
        raise FileTooLarge(f"{too_large}: it grew while being read")
    return data
