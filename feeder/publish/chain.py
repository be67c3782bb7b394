"""Which entries of a feed sit in its current document and which in its RFC 5005
archive pages. Pure: stamps and the recorded pages in, a `Chain` out; no I/O.

Entries not archived yet wait in the feed document. When they would overflow it
(more than `feed_size`), the oldest of them (by date, then key) close a new page of
`page_size` entries; the keys of each closed page are recorded, so a page keeps its
entries whatever arrives later: new items always wait in the feed first. An item
that leaves the feed (re-tagged, removed, no longer its story's lead) is dropped from
the page that held it; one that joins it (again) waits in the feed like a new one.
Every item of the feed is thus in exactly one document. Nothing here depends on when
an item was stored, so a refresh cut short and run again publishes the same pages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from feeder.model import ItemStamp


def page_size(feed_size: int) -> int:
    """Entries per new archive page: half a feed document, so that the document always
    holds between `feed_size - page_size + 1` and `feed_size` entries."""
    return max(1, feed_size // 2)


@dataclass(frozen=True)
class Chain:
    """One feed split into its archive pages (oldest first: page 1 is index 0) and
    the entries of its current document, each oldest first."""

    pages: tuple[tuple[ItemStamp, ...], ...]
    current: tuple[ItemStamp, ...]

    @property
    def newest_page(self) -> int | None:
        """The number of the page the feed's `prev-archive` links to (None: no pages)."""
        return len(self.pages) or None

    @property
    def recorded(self) -> list[list[str]]:
        """The keys of each page, to record and pass back to `plan_chain` next time."""
        return [[stamp.key for stamp in page] for page in self.pages]


def _oldest_first(stamp: ItemStamp) -> tuple[float, str]:
    return (stamp.published.timestamp(), stamp.key)


def plan_chain(
    stamps: Sequence[ItemStamp], recorded: Sequence[Sequence[str]], feed_size: int
) -> Chain:
    """Split `stamps` (every item of the feed) along the `recorded` pages (their keys,
    page 1 first), closing new pages of `page_size(feed_size)` while the entries left
    over are more than `feed_size`."""
    by_key = {stamp.key: stamp for stamp in stamps}
    pages: list[tuple[ItemStamp, ...]] = []
    for keys in recorded:
        page = [by_key.pop(key) for key in keys if key in by_key]
        pages.append(tuple(sorted(page, key=_oldest_first)))
    waiting = sorted(by_key.values(), key=_oldest_first)
    size, start = page_size(feed_size), 0
    while len(waiting) - start > feed_size:
        pages.append(tuple(waiting[start : start + size]))
        start += size
    return Chain(tuple(pages), tuple(waiting[start:]))


def page_digest(number: int, stamps: Sequence[ItemStamp]) -> str:
    """A digest of what page `number`'s document shows: its number (which decides
    its links) and its entries' keys and times."""
    entries = sorted((s.key, s.published.timestamp(), s.updated.timestamp()) for s in stamps)
    return hashlib.sha256(json.dumps([number, entries]).encode()).hexdigest()


def load_recorded(value: object) -> list[list[str]]:
    """Recorded pages from their JSON form (`Chain.recorded`); [] when `value` is not
    a list of lists of keys, or names a key twice (a damaged record: the chain is then
    planned afresh)."""
    if not isinstance(value, list) or not all(isinstance(page, list) for page in value):
        return []
    keys = [key for page in value for key in page]
    if not all(isinstance(key, str) for key in keys) or len(keys) != len(set(keys)):
        return []
    return [list(page) for page in value]
