"""Writing published files: atomically, and only when their bytes change."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class PublishError(Exception):
    """An output file could not be written; the message names it."""


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
    # A fresh random name each time (never another writer's file, even one in another
    # container sharing the folder); a crash can leave one behind, hidden and never served.
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    created = False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        created = True
        try:
            os.fchmod(fd, 0o644)  # whatever the umask: a web server must read it
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
    return True
