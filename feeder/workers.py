"""Worker processes for pure work (rendering pages, judging items): how many cores
there are, how workers start, and that they end with the process that started them."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from multiprocessing.context import BaseContext
from typing import Any

_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """A pool of `workers` processes, each killed when this process ends, each running
    `initializer(*initargs)` first."""
    context = _start_method()
    # A forked worker's parent is this process; a forkserver's, the server (which ends
    # with this process).
    parent = os.getpid() if context.get_start_method() == "fork" else None
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(parent, initializer, initargs)
    )


def _start(
    parent: int | None, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]
) -> None:
    """Start of a worker: be killed when its parent ends. Otherwise a killed refresh
    leaves workers waiting forever, holding its open files (the database's lock)."""
    if sys.platform == "linux":
        with suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:  # it ended before the prctl
        os._exit(1)
    if initializer is not None:
        initializer(*initargs)


def _start_method() -> BaseContext:
    """Fork, which starts a worker in milliseconds with everything imported, while this
    process has one thread; else (the service) a fresh interpreter per worker, since
    another thread may hold a lock (logging's, the database's) at the moment of a fork."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
