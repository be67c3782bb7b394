"""Item pages: one permalink page per item, rendered and written in the items' order.
A cold build of many pages renders them in a process pool (rendering is pure, and
this process writes every file in the same order), so the bytes are the same."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

from feeder.model import Site, StoredItem
from feeder.publish import layout
from feeder.publish.files import FreshFolder, write_if_changed
from feeder.publish.pages import render_item_page
from feeder.workers import cores as cpu_cores
from feeder.workers import worker_pool

# Below this many pages a pool costs more (starting its processes) than it saves.
POOL_FROM_PAGES = 2000
# Items sent to a worker at once: few enough to keep memory flat, enough to amortise
# the round trip.
CHUNK_PAGES = 250


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
        cores = cpu_cores()
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
    executor = worker_pool(pool.workers)
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


def _drained(chunks: deque[list[StoredItem]]) -> Iterator[list[StoredItem]]:
    """The chunks read ahead, each let go once handed on (memory stays flat)."""
    while chunks:
        yield chunks.popleft()
