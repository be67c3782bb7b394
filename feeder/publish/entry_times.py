"""When a feed entry says it was last updated. The stored time is honest but often
shared: every item of one day carries midnight, and every item of one refresh its
time. Atom wants each entry's `updated` distinct within a document (the W3C
validator's DuplicateUpdated), so each entry adds a fraction of a second fixed by its
key: distinct, stable while the item does not change, and never more than a second
from the truth. Pure: no clock, no I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from feeder.model import StoredItem

# Offsets are whole microseconds below this, leaving room under one second for the
# rare entry moved on by a microsecond to avoid another's time.
_SPREAD = 999_000
_MICROSECOND = timedelta(microseconds=1)


def key_offset(key: str) -> timedelta:
    """The fraction of a second an entry's `updated` adds to its stored time: from its
    key alone, so it is the same in every document, refresh and database."""
    digest = hashlib.sha256(key.encode()).digest()
    return timedelta(microseconds=int.from_bytes(digest[:8], "big") % _SPREAD)


def entry_times(items: Sequence[StoredItem]) -> list[datetime]:
    """The `updated` of each of `items` in one document, in their order: the stored
    `updated` (its date, or its last change) plus `key_offset`. Should two entries
    still meet (a one-in-a-million chance per pair of a shared stored time), the one
    with the larger key moves on by a microsecond, so the values are pairwise distinct
    and depend only on the document's items."""
    taken: set[datetime] = set()
    times: dict[str, datetime] = {}
    base = {item.key: item.updated + key_offset(item.key) for item in items}
    for key in sorted(base, key=lambda key: (base[key], key)):
        at = base[key]
        while at in taken:
            at += _MICROSECOND
        taken.add(at)
        times[key] = at
    return [times[item.key] for item in items]
