"""Writing published files: atomically, and only when their bytes change."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from contextlib import suppress
from functools import cache
from pathlib import Path

from feeder.errors import PublishError
from feeder.processes import pid_has_ended, process_space

# A temporary file is `.<name>.feeder-<pid>-<space>-<random>.tmp` beside the file it
# replaces: hidden, never another writer's name (the random part), and saying which
# process wrote it (`space`: a digest of its boot and PID namespace, see
# `feeder.processes`), so that what a killed writer left can be told from a live one's.
_TEMP = re.compile(r"\..+\.feeder-(?P<pid>[0-9]+)-(?P<space>[0-9a-f]{8}|unknown)-[0-9a-f]{8}\.tmp")
# What earlier versions wrote: `.<name>.<random>.tmp`, naming no process.
_OLD_TEMP = re.compile(r"\..+\.[0-9a-f]{8}\.tmp")
# A live writer holds its temporary file for one write (milliseconds, seconds on a slow
# disk); one this old is a killed writer's, whoever wrote it, even on another machine.
STALE_TEMP_SECONDS = 600.0


def write_if_changed(path: Path, data: bytes, durable: bool = True) -> bool:
    """Atomically replace `path` with `data` unless it already holds exactly that.

    Returns True when written. Readers see the old file or the new one, never half.
    `durable` also flushes the data to disk before the rename, so even a power cut
    cannot leave an empty file; item pages skip it (one fsync per page made a cold
    publish of 100,000 pages take minutes) since a refresh can always rewrite them.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise PublishError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    _replace(path, data, durable=durable, chmod=True)
    return True


class FreshFolder:
    """A folder this process fills from empty (a cold build's item pages): each file is
    written new, with none of `write_if_changed`'s checks for one already there. Still
    atomic (a temporary file renamed), so a kill at any moment leaves whole files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            folder.mkdir(parents=True, exist_ok=True)  # once, not per file
        except OSError as exc:
            raise PublishError(f"{folder}: cannot create: {exc.strerror or exc}") from exc
        # The mode `os.open` asks for survives this process's umask: no `fchmod` needed.
        umask = _umask()
        self._chmod = umask is None or umask & _MODE != 0

    @staticmethod
    def is_fresh(folder: Path) -> bool:
        """Whether `folder` is missing or empty: nothing in it to compare with."""
        try:
            with os.scandir(folder) as entries:
                return next(entries, None) is None
        except FileNotFoundError:
            return True
        except OSError:
            return False  # unreadable: let the careful path report it

    def write(self, name: str, data: bytes) -> None:
        """Write file `name` of this folder, not flushed to disk (like item pages)."""
        _replace(self.folder / name, data, durable=False, chmod=self._chmod)


_MODE = 0o644  # whatever the umask: a web server must read every published file


def _umask() -> int | None:
    """This process's umask, read without changing it (Linux); None where unknown."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _replace(path: Path, data: bytes, *, durable: bool, chmod: bool) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`."""
    # A fresh random name each time (never another writer's file, even one in another
    # container sharing the folder); one a crash leaves is cleared by a later refresh.
    tmp = path.parent / f".{path.name}.{_writer()}-{secrets.token_hex(4)}.tmp"
    created = False
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, _MODE)
        created = True
        try:
            if chmod:
                os.fchmod(fd, _MODE)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        if created:
            tmp.unlink(missing_ok=True)
        raise PublishError(f"{path}: cannot write: {exc.strerror or exc}") from exc


@cache  # read once: a process does not change machine or PID namespace
def _space_tag() -> str:
    space = process_space()
    return "unknown" if space == "unknown" else hashlib.sha256(space.encode()).hexdigest()[:8]


def _writer() -> str:
    """This process, as its temporary files name it."""
    return f"feeder-{os.getpid()}-{_space_tag()}"


def is_stale_temp_file(name: str, age: float) -> bool:
    """Whether `name` is a temporary file feeder wrote and no live writer will rename:
    its process, of this machine and PID namespace, has ended, or it is older
    (`age`, seconds) than any write takes. Any other name is not feeder's: False."""
    if match := _TEMP.fullmatch(name):
        if age > STALE_TEMP_SECONDS:
            return True
        here = _space_tag()
        return here != "unknown" and match["space"] == here and pid_has_ended(int(match["pid"]))
    return _OLD_TEMP.fullmatch(name) is not None and age > STALE_TEMP_SECONDS


def remove_stale_temp_files(out_dir: Path) -> int:
    """Delete the temporary files killed writers left anywhere under `out_dir` (a static
    server would serve them), never a live writer's, nor any file not feeder's own.
    Returns how many were removed; a file that cannot be removed is left for next time."""
    removed = 0
    now = time.time()
    for folder, _, names in os.walk(out_dir):  # symbolic links to folders are not followed
        for name in names:
            if not name.endswith(".tmp"):
                continue
            path = Path(folder, name)
            with suppress(OSError):  # gone meanwhile (its writer renamed it), or not ours to delete
                if is_stale_temp_file(name, now - path.lstat().st_mtime):
                    path.unlink()
                    removed += 1
    return removed
