"""Item pages rendered in a process pool (issue 20): the same bytes as a serial run,
in every file, whether the folder is fresh (nothing read back) or already published
(only changed pages rewritten)."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from feeder import Feeder, Settings
from feeder.model import StoredItem
from feeder.publish import PagePool, publish_site
from feeder.publish.files import FreshFolder
from feeder.refresh.feeds import feed_chain, feed_names
from feeder.refresh.publishing import site_of

SERIAL = PagePool(workers=0)
# Forced onto the 17 seed items, 3 to a chunk: more chunks than the pool keeps in flight.
POOLED = PagePool(workers=2, from_pages=1, chunk=3)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _publish(feeder: Feeder, settings: Settings, out: Path, pool: PagePool) -> int:
    """Publish the stored feeds and item pages into `out`; how many pages were written."""
    site = site_of(settings)
    feeds = [feed_chain(feeder.store, settings, slug)[0] for slug in feed_names(settings)]
    titles = {topic.slug: topic.title for topic in settings.topic_list()}
    result = publish_site(site, feeds, feeder.store.iter_items(), titles, out, pool=pool)
    return result.pages_written


@pytest.fixture
def stored(feeder: Feeder) -> Feeder:
    feeder.refresh()
    return feeder


def test_pool_writes_the_same_bytes_as_a_serial_run_in_every_file(
    stored: Feeder, settings: Settings, tmp_path: Path
) -> None:
    serial, pooled = tmp_path / "serial", tmp_path / "pooled"
    written = _publish(stored, settings, serial, SERIAL)
    assert _publish(stored, settings, pooled, POOLED) == written
    serial_files = _files(serial)
    assert len(serial_files) > stored.item_count()  # every item page, feeds, index
    assert _files(pooled) == serial_files
    # And the same item pages as the refresh itself wrote.
    refreshed = _files(settings.feeds_dir / "items")
    assert {name: data for name, data in serial_files.items() if name.startswith("items/")} == {
        f"items/{name}": data for name, data in refreshed.items()
    }


def test_pool_over_published_pages_rewrites_only_changed_ones(
    stored: Feeder, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _publish(stored, settings, out, POOLED)
    before = _files(out)
    page = next((out / "items").glob("*.html"))
    page.write_bytes(b"damaged")

    assert _publish(stored, settings, out, POOLED) == 1  # only the damaged page
    assert _files(out) == before


def test_a_site_below_the_pool_threshold_is_rendered_the_same(
    stored: Feeder, settings: Settings, tmp_path: Path
) -> None:
    small, serial = tmp_path / "small", tmp_path / "serial"
    _publish(stored, settings, small, PagePool(workers=2, from_pages=10_000, chunk=3))
    _publish(stored, settings, serial, SERIAL)
    assert _files(small) == _files(serial)


@pytest.mark.parametrize(("pool", "workers_run"), [(SERIAL, False), (POOLED, True),
                                                   (PagePool(2, 10_000, 3), False)])  # fmt: skip
def test_worker_processes_run_only_once_enough_pages_are_waiting(
    stored: Feeder, settings: Settings, pool: PagePool, workers_run: bool
) -> None:
    import multiprocessing

    from feeder.publish.item_pages import rendered_pages

    seen = []
    for _ in rendered_pages(site_of(settings), stored.store.iter_items(), {}, pool):
        seen.append(bool(multiprocessing.active_children()))
    assert seen and any(seen) is workers_run


def test_a_failing_render_in_a_worker_is_raised_and_writes_no_half_file(
    stored: Feeder, settings: Settings, tmp_path: Path
) -> None:
    def items() -> Iterator[StoredItem]:
        yield from stored.store.iter_items()
        yield "not an item"  # type: ignore[misc]

    site = site_of(settings)
    out = tmp_path / "out"
    with pytest.raises(AttributeError):
        publish_site(site, [], items(), {}, out, pool=POOLED)
    assert not list(out.rglob(".*.tmp"))


def test_pages_in_a_fresh_folder_are_readable_by_everyone_whatever_the_umask(
    stored: Feeder, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    previous = os.umask(0o077)
    try:
        assert FreshFolder.is_fresh(out / "items")
        _publish(stored, settings, out, SERIAL)
    finally:
        os.umask(previous)
    pages = list((out / "items").glob("*.html"))
    assert pages and all(stat.S_IMODE(page.stat().st_mode) == 0o644 for page in pages)
    assert not FreshFolder.is_fresh(out / "items")


def test_pool_started_beside_other_threads_writes_the_same_bytes(
    stored: Feeder, settings: Settings, tmp_path: Path
) -> None:
    # As in the service: another thread is running, so workers are not forked from
    # this process but started fresh (a fork could copy a lock that thread holds).
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        _publish(stored, settings, tmp_path / "pooled", POOLED)
    finally:
        release.set()
        other.join()
    _publish(stored, settings, tmp_path / "serial", SERIAL)
    assert _files(tmp_path / "pooled") == _files(tmp_path / "serial")
