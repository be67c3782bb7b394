"""Decisions a refresh makes, as pure functions over plain data returning intents.
No I/O: the refresh reads what a decision needs first, and executes what it returns.

Which files to read; whether an item read this refresh is new, changed, the same, or
kept out (the user removed it); which of its captures wins (the one read last, with a
warning when they disagree); when it was published (a date too far ahead is a typo:
the item is published as first seen); the times it gets when the zone changes.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from feeder.model import Block, FileState, ParsedItem, SourceFile
from feeder.store.intents import ItemEdit, NewItem
from feeder.store.rows import StoredVersion


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


def redated(
    day: date, published: datetime, updated: datetime, first_seen: datetime, zone: tzinfo
) -> tuple[datetime, datetime]:
    """The (published, updated) times of an item dated by `day` in `zone` (after the
    zone changed). An item never edited keeps updated == published; an edited one
    keeps its edit time."""
    moved = calendar_day_start(day, zone)
    if moved > first_seen + FUTURE_GRACE:  # the rule of `publication_time`
        moved = first_seen
    return moved, moved if updated == published else max(updated, moved)


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


@dataclass(frozen=True)
class Capture:
    """One version of an item read this refresh, and where it was read."""

    item: ParsedItem
    source: str
    place: str  # a file's path or a page's URL, as sightings record it
    shown: str  # the place as messages name it (a file's full location)


Tagger = Callable[[str, str, tuple[Block, ...]], dict[str, str]]  # (key, title, blocks)


@dataclass(frozen=True)
class ItemDecision:
    """What to do with one key read this refresh: the intents the ingest executes
    (`insert` or `edit`, the sightings of `places`) and what to report."""

    item: ParsedItem  # the version kept: the one read last
    change: Change  # NEW, CHANGED or UNCHANGED against what was stored; REMOVED: skip it
    item_id: int | None = None  # the stored row (None until a new item is inserted)
    published: datetime | None = None
    places: tuple[tuple[str, str], ...] = ()  # (source, path or URL), in reading order
    tags: Mapping[str, str] | None = None  # its own topics, when (re-)tagged
    insert: NewItem | None = None  # kept once done: the item is new to the store
    edit: ItemEdit | None = None
    warnings: tuple[str, ...] = ()

    @property
    def retag(self) -> bool:
        """Whether its text is new to the store: topics and story are judged again."""
        return self.tags is not None


@dataclass(frozen=True)
class ItemDecider:
    """Decides, key by key, what one refresh writes at `now` (see the module docstring).

    `tagger` judges an item's topics (`TopicMatcher.tags`, itself pure)."""

    now: datetime
    zone: tzinfo
    tagger: Tagger

    def needs_earlier_place(
        self, captures: Sequence[Capture], stored: StoredVersion | None, removed: bool
    ) -> bool:
        """Whether `decide` needs `earlier`: the first capture differs from the stored
        version, which an earlier transaction of this refresh may have written."""
        return (
            not removed
            and stored is not None
            and (captures[0].item.content_hash != stored.content_hash)
        )

    def decide(
        self,
        captures: Sequence[Capture],
        stored: StoredVersion | None,
        removed: bool = False,
        earlier: str | None = None,
    ) -> ItemDecision:
        """What to write for one key, given every version read this refresh (in reading
        order: the last wins), what is stored, and whether the user removed the key.
        `earlier`: where this refresh read the stored version, if it did (see
        `needs_earlier_place`); a disagreement between captures is then reported."""
        last = captures[-1]
        current = stored.content_hash if stored else None
        if classify_item(current, last.item, removed) is Change.REMOVED:
            return ItemDecision(last.item, Change.REMOVED)
        edited = False  # some version differs from the one before it
        warnings: list[str] = []
        for position, capture in enumerate(captures):
            change = classify_item(current, capture.item)
            edited |= change is Change.CHANGED
            before = captures[position - 1].shown if position else earlier
            if change is Change.CHANGED and before is not None:
                warnings.append(
                    f"{capture.shown}: {capture.item.title!r} has different text in {before}; "
                    "the version read last is kept"
                )
            current = capture.item.content_hash
        item = last.item
        first_seen = stored.first_seen if stored else self.now
        published = publication_time(item, first_seen, self.zone)
        stated = stated_time(item, self.zone)
        if (stored is None or edited) and stated is not None and stated > first_seen + FUTURE_GRACE:
            warnings.append(
                f"{last.shown}: {item.title!r} is dated {stated:%d.%m.%Y}, in the future; "
                "it is published as first seen"
            )
        updated = max(self.now, published) if edited else published
        places = tuple(dict.fromkeys((c.source, c.place) for c in captures))
        if stored is not None and not edited:
            return ItemDecision(item, Change.UNCHANGED, stored.item_id, published, places,
                                warnings=tuple(warnings))  # fmt: skip
        tags = self.tagger(item.key, item.title, item.blocks)
        decision = ItemDecision(item, Change.NEW, None, published, places, tags,
                                warnings=tuple(warnings))  # fmt: skip
        if stored is None:
            insert = NewItem(item, published, updated, self.now, tags)
            return replace(decision, insert=insert)
        edit = ItemEdit(stored.item_id, item, published, updated, tags)
        return replace(decision, change=Change.CHANGED, item_id=stored.item_id, edit=edit)

    def stored_meanwhile(
        self, decision: ItemDecision, stored: StoredVersion
    ) -> tuple[ItemDecision, ItemEdit | None]:
        """Another worker stored this new item first: its row becomes the stored one.
        Returns the decision and the edit to make now if the texts differ (the topics
        are judged again); the same text was tagged by the other worker."""
        taken = replace(decision, item_id=stored.item_id, insert=None)
        if stored.content_hash == decision.item.content_hash:
            return replace(taken, tags=None), None
        published = publication_time(decision.item, stored.first_seen, self.zone)
        edit = ItemEdit(
            stored.item_id, decision.item, published, max(self.now, published), decision.tags
        )
        return replace(taken, published=published), edit
