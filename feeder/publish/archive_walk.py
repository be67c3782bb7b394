"""The order a build reads archive items in: every item on the pages to render, read
once, oldest first, in batches, each page handed on as soon as its last item is read.
Only the items of pages still open are held, so memory stays flat however many items
the archives hold, and an item on several feeds' pages is read once for all of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from feeder.model import FeedContent, ItemStamp, StoredItem, newest_first

# Loads the stored items with these keys, in any order.
ItemLoader = Callable[[list[str]], Iterable[StoredItem]]

_BATCH = 500  # keys per load


@dataclass(frozen=True)
class PageToRender:
    """An archive page to write: of which feed, its number (1 = oldest), its entries'
    stamps, its file, and the digest its document ends with."""

    feed: FeedContent
    number: int
    stamps: tuple[ItemStamp, ...]
    path: Path
    digest: str


def pages_in_walk_order(
    pages: Sequence[PageToRender], load: ItemLoader, batch: int = _BATCH
) -> Iterator[tuple[PageToRender, list[StoredItem]]]:
    """Each of `pages` with its stored items, newest first, as soon as they are read:
    the pages' items are loaded oldest first, `batch` keys at a time, so a page closes
    with its newest item. A key no longer stored is left out of its page."""
    holders: dict[str, list[int]] = {}
    order: dict[str, tuple[float, str]] = {}
    for index, page in enumerate(pages):
        for stamp in page.stamps:
            holders.setdefault(stamp.key, []).append(index)
            order[stamp.key] = (stamp.published.timestamp(), stamp.key)
    waiting = [len(page.stamps) for page in pages]
    held: dict[int, list[StoredItem]] = {}
    for page in pages:
        if not page.stamps:  # every item left it: an empty page
            yield page, []
    keys = sorted(order, key=order.__getitem__)
    del order
    for start in range(0, len(keys), batch):
        chunk = keys[start : start + batch]
        found = {item.key: item for item in load(chunk)}
        for key in chunk:
            item = found.get(key)
            for index in holders.pop(key):
                if item is not None:
                    held.setdefault(index, []).append(item)
                waiting[index] -= 1
                if not waiting[index]:
                    yield pages[index], newest_first(held.pop(index, []))
