"""Item pages: one permalink page per item, rendered and written in the items' order.
A cold build of many pages renders them in a process pool (rendering is pure, and
this process writes every file in the same order), so the bytes are the same."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from itertools import chain, islice
from multiprocessing.context import BaseContext
from pathlib import Path

from feeder.model import Site, StoredItem
from feeder.publish import layout
from feeder.publish.files import FreshFolder, write_if_changed
from feeder.publish.pages import render_item_page

# Below this many pages a pool costs more (starting its processes) than it saves.
POOL_FROM_PAGES = 2000
# Items sent to a worker at once: few enough to keep memory flat, enough to amortise
# the round trip.
CHUNK_PAGES = 250
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass(frozen=True)
class PagePool:
    """How item pages may be rendered in parallel: in `workers` processes (0: in this
    one) once there are at least `from_pages` pages to render, `chunk` at a time."""

    workers: int = 0
    from_pages: int = POOL_FROM_PAGES
    chunk: int = CHUNK_PAGES

    @classmethod
    def for_this_machine(cls) -> PagePool:
        """One worker per core; with a single core, pages are rendered in this process."""
        cores = _cores()
        return cls(workers=cores if cores > 1 else 0)


def write_item_pages(
    site: Site,
    items: Iterable[StoredItem],
    topic_titles: Mapping[str, str],
    out_dir: Path,
    pool: PagePool,
) -> int:
    """Render and write the page of each of `items`; how many files were written.
    Into a missing or empty items folder every page is new, so none is read back."""
    folder = out_dir / layout.ITEMS
    fresh = FreshFolder(folder) if FreshFolder.is_fresh(folder) else None
    written = 0
    for key, page in rendered_pages(site, items, topic_titles, pool):
        if fresh is not None:
            fresh.write(layout.item_file(key), page)
            written += 1
        else:
            written += write_if_changed(out_dir / layout.item_path(key), page, durable=False)
    return written


def rendered_pages(
    site: Site, items: Iterable[StoredItem], topic_titles: Mapping[str, str], pool: PagePool
) -> Iterator[tuple[str, bytes]]:
    """Each item's key and page, in the order of `items`, read and rendered a chunk at
    a time: in `pool`'s processes when there are enough pages, else here."""
    chunks = _chunks(items, pool.chunk)
    head: deque[list[StoredItem]] = deque()
    if pool.workers > 0:
        counted = 0
        for chunk in chunks:  # enough pages to pay for the pool?
            head.append(chunk)
            counted += len(chunk)
            if counted >= pool.from_pages:
                break
        else:
            pool = PagePool(workers=0, chunk=pool.chunk)
    if pool.workers <= 0:
        for chunk in chain(_drained(head), chunks):
            yield from render_chunk(site, chunk, topic_titles)
        return
    context = _start_method()
    # A forked worker's parent is this process; a forkserver's, the server (which ends
    # with this process).
    parent = os.getpid() if context.get_start_method() == "fork" else None
    executor = ProcessPoolExecutor(
        pool.workers, mp_context=context, initializer=_end_with_parent, initargs=(parent,)
    )
    try:
        pending: deque[Future[list[tuple[str, bytes]]]] = deque()
        for chunk in chain(_drained(head), chunks):
            pending.append(executor.submit(render_chunk, site, chunk, topic_titles))
            if len(pending) > 2 * pool.workers:  # keep the workers busy, memory flat
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def render_chunk(
    site: Site, items: list[StoredItem], topic_titles: Mapping[str, str]
) -> list[tuple[str, bytes]]:
    """The key and page of each of `items`: what a worker does with one chunk."""
    return [(item.key, render_item_page(site, item, topic_titles)) for item in items]


def _chunks(items: Iterable[StoredItem], size: int) -> Iterator[list[StoredItem]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, max(size, 1))):
        yield chunk


def _end_with_parent(parent: int | None) -> None:
    """Start of a worker: be killed when its parent ends. Otherwise a killed refresh
    leaves workers waiting forever, holding its open files (the database's lock)."""
    if sys.platform == "linux":
        with suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:  # it ended before the prctl
        os._exit(1)


def _drained(chunks: deque[list[StoredItem]]) -> Iterator[list[StoredItem]]:
    """The chunks read ahead, each let go once handed on (memory stays flat)."""
    while chunks:
        yield chunks.popleft()


def _start_method() -> BaseContext:
    """Fork, which starts a worker in milliseconds with everything imported, while this
    process has one thread; else (the service) a fresh interpreter per worker, since
    another thread may hold a lock (logging's, the database's) at the moment of a fork."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
