"""Decisions a refresh makes, as pure functions over plain data. No I/O."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from feeder.model import FileState, ParsedItem, SourceFile


@dataclass
class ScanPlan:
    """Which files of a source to read, which to skip, which have disappeared."""

    to_read: list[SourceFile] = field(default_factory=list)
    unchanged: list[SourceFile] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)


# The content hash recorded for a file skipped for its size, never read.
NOT_READ = ""


def plan_scan(
    files: list[SourceFile], states: dict[str, FileState], max_bytes: int | None = None
) -> ScanPlan:
    """A file whose size and mtime match the last scan is skipped without being read,
    unless it was skipped for its size and `max_bytes` now allows it."""
    plan = ScanPlan()
    for file in files:
        state = states.get(file.path)
        allowed = state is not None and state.sha256 == NOT_READ and file.size <= (max_bytes or 0)
        if state and state.size == file.size and state.mtime_ns == file.mtime_ns and not allowed:
            plan.unchanged.append(file)
        else:
            plan.to_read.append(file)
    present = {file.path for file in files}
    plan.vanished = sorted(path for path in states if path not in present)
    return plan


def listing_fingerprint(
    files: list[SourceFile], skipped: Sequence[str] = (), max_bytes: int | None = None
) -> str:
    """A digest of a folder's listing (every path, size and mtime, the entries passed
    over, and the size limit it was read with). When it equals the one recorded after
    the last complete scan, nothing in the folder changed, and the per-file scan
    state need not even be read."""
    digest = hashlib.sha256("\0".join([f.path for f in files]).encode())
    digest.update("\0".join(["", *skipped]).encode())
    if max_bytes is not None:
        digest.update(f"\0max_bytes {max_bytes}".encode())
    # Sizes and mtimes as packed 64-bit integers: a rescan makes this for every file.
    digest.update(array("q", [f.size for f in files]).tobytes())
    digest.update(array("q", [f.mtime_ns for f in files]).tobytes())
    return digest.hexdigest()


class Change(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REMOVED = "removed"  # the user removed it (`feeder remove`): kept out, not stored


def classify_item(stored_hash: str | None, item: ParsedItem, removed: bool = False) -> Change:
    """Decide whether an item is new, changed or unchanged against what is stored, or
    kept out because the user removed its key (whatever its text is now)."""
    if removed:
        return Change.REMOVED
    if stored_hash is None:
        return Change.NEW
    return Change.UNCHANGED if stored_hash == item.content_hash else Change.CHANGED


def calendar_day_start(day: date, zone: tzinfo) -> datetime:
    """Midnight of `day` in `zone`, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


# A date further ahead of the moment an item was first seen than this is a typo or
# a placeholder (`01.01.2999`), not an announcement: it would lead every feed for years.
FUTURE_GRACE = timedelta(days=2)


def stated_time(item: ParsedItem, zone: tzinfo) -> datetime | None:
    """The exact time a source gave, else the item's date (explicit or from its text)
    at midnight; None for an undated item."""
    if item.published_at is not None:
        return item.published_at
    return calendar_day_start(item.day, zone) if item.day else None


def publication_time(item: ParsedItem, first_seen: datetime, zone: tzinfo) -> datetime:
    """The time the item states, else when it was first seen; also when the stated
    time lies more than `FUTURE_GRACE` after that (feed readers do the same)."""
    stated = stated_time(item, zone)
    if stated is None or stated > first_seen + FUTURE_GRACE:
        return first_seen
    return stated


def take_new_items(
    items: Sequence[ParsedItem], known: Collection[str], cap: int
) -> tuple[list[ParsedItem], int]:
    """Bound what one fetch stores: every item already known, and of the new ones at
    most `cap`, the oldest first (by stated time; undated ones are taken from the end
    of the document, as feeds list the newest first, and count as newer than any dated
    one). Returns the items to store, in document order, and how many new ones wait."""
    new: dict[str, tuple[int, float, int]] = {}
    for index, item in enumerate(items):
        if item.key in known or item.key in new:
            continue
        stated = stated_time(item, UTC)
        new[item.key] = (0, stated.timestamp(), -index) if stated else (1, 0.0, -index)
    if len(new) <= cap:
        return list(items), 0
    taken = set(sorted(new, key=new.__getitem__)[:cap])
    kept = [item for item in items if item.key in known or item.key in taken]
    return kept, len(new) - cap
