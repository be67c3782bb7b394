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
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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


class LockBusyError(Exception):
    """Another process holds the lock; the message says which and for what."""


class LockWaitCancelled(Exception):
    """The caller gave up waiting for the lock (the service is stopping)."""


def _try_lock(fd: int, exclusive: bool = True) -> bool:
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


@contextmanager
def exclusive_lock(
    path: Path, timeout: float, purpose: str, give_up: Callable[[], bool] | None = None
) -> Iterator[None]:
    """Hold an exclusive lock on `path`, waiting up to `timeout` seconds for it, or
    until `give_up()` is true (`LockWaitCancelled`)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if give_up and give_up():
                raise LockWaitCancelled(f"stopped waiting for the lock on {path}")
            if time.monotonic() >= deadline:
                holder = _read_pid(path)
                raise LockBusyError(
                    f"another feeder process{f' (pid {holder})' if holder else ''} is {purpose}; "
                    f"gave up after waiting {timeout:g} s"
                )
            time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def holder_of(path: Path) -> int | None:
    """The pid holding the lock on `path`, or None when nobody holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        if _try_lock(fd, exclusive=False):
            return None
        return _read_pid(path) or -1
    finally:
        os.close(fd)


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip() or 0) or None
    except (OSError, ValueError):
        return None
