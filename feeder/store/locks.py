"""Advisory file locks beside a SQLite database: one writer at a time, one service.

SQLite serialises transactions itself; these locks serialise whole refreshes
(scan, ingest, publish) across processes and say who holds them.
"""

from __future__ import annotations

import errno
import fcntl
import os
import secrets
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from feeder.errors import LockBusyError, LockWaitCancelled
from feeder.processes import pid_has_ended, process_space


def worker_name() -> str:
    """A name for this process in source leases (host, pid, process space, a random
    part): several workers may share a database."""
    space = process_space()
    return f"{socket.gethostname()}:{os.getpid()}:{space}:{secrets.token_hex(3)}"


def worker_is_gone(name: str) -> bool:
    """True when `name` is a worker of this host, boot and PID namespace whose process
    has ended (killed, crashed): its leases need not be waited out. Other workers are
    never judged (a reused pid only makes a dead worker look alive: it is waited out)."""
    host, pid, space, *_ = [*name.split(":"), "", "", ""]
    here = process_space()
    if host != socket.gethostname() or space != here or here == "unknown" or not pid.isdigit():
        return False
    return pid_has_ended(int(pid))


def _record_pid(fd: int) -> None:
    """Write our pid into the lock file we now hold, for the messages of the others."""
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)


@contextmanager
def exclusive_lock(
    path: Path, timeout: float, purpose: str, give_up: Callable[[], bool] | None = None
) -> Iterator[None]:
    """Hold an exclusive lock on `path`, waiting up to `timeout` seconds for it, or
    until `give_up()` is true (`LockWaitCancelled`)."""
    # A file lock (flock) that keeps its file: the holder's pid stays readable in it,
    # and `holder_of` probes the same file.
    lock = FileLock(path, mode=0o644, preserve_lock_file=True, on_acquired=_record_pid)
    try:
        lock.acquire(timeout=timeout, poll_interval=0.05, cancel_check=give_up)
    except Timeout:
        if give_up and give_up():
            raise LockWaitCancelled(f"stopped waiting for the lock on {path}") from None
        holder = _read_pid(path)
        raise LockBusyError(
            f"another feeder process{f' (pid {holder})' if holder else ''} is {purpose}; "
            f"gave up after waiting {timeout:g} s"
        ) from None
    try:
        yield
    finally:
        lock.release()


def holder_of(path: Path) -> int | None:
    """The pid holding the lock on `path`, or None when nobody holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        # Shared, so two processes asking at once do not see each other as holders.
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES):  # some file systems say EACCES
            raise
        return _read_pid(path) or -1
    finally:
        os.close(fd)  # which also drops the probe's own lock
    return None


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip() or 0) or None
    except (OSError, ValueError):
        return None
