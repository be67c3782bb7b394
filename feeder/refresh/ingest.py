"""The ingest step of a refresh: what was read is written in the transaction of its
chunk. `ItemDecider` decides, key by key; this reads what it needs and executes the
intents it returns.

    queued captures, sorted by key | a batch of keys at a time:
      writer.find_items, removals | ItemDecider.decide (pure)
      | writer.add_items / update_items | StoryStep.place | writer.record_sightings
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from itertools import groupby
from threading import Event

from feeder.errors import RefreshCancelled
from feeder.model import FileState, ParsedItem, RefreshSummary, ScannedFile
from feeder.refresh.decider import Capture, Change, ItemDecider, ItemDecision
from feeder.refresh.stories import Fresh, StoryStep
from feeder.store import StoreWriter
from feeder.store.intents import NewSighting
from feeder.store.rows import StoredVersion
from feeder.stories import Signature


class Ingest:
    """Writes parsed files and pages into the store.

    Items are written in key order, whatever file they came from: concurrent writers
    (several workers on PostgreSQL) then lock the rows they share in the same order
    and cannot deadlock. Within a key, files keep their order (the last read wins).
    """

    def __init__(
        self,
        decider: ItemDecider,
        summary: RefreshSummary,
        shown_through: datetime | None,
        batch: int,
        keys_listed: int,
        sign: Callable[[ParsedItem], Signature] | None = None,
    ) -> None:
        """`batch`: keys written per round of statements; `keys_listed`: past this many
        changed items, `changed_keys` gives up listing them (memory stays flat);
        `sign`: how the story step has an item's signature (see `StoryStep`)."""
        self.decider, self.summary, self.shown_through = decider, summary, shown_through
        self.sign = sign
        self.batch, self.keys_listed = batch, keys_listed
        self.pending: list[Capture] = []
        self.files: list[tuple[str, FileState]] = []
        self.changed_feeds: set[str] = set()  # feeds whose entries this ingest changed
        # Items stored, edited or re-tagged; None once there are too many to list.
        self.changed_keys: set[str] | None = set()

    def add_file(self, scanned: ScannedFile) -> None:
        """Queue a parsed file's items, and its scan state to save with them."""
        file = scanned.file
        self.add(file.source, file.path, scanned.items, str(file.location))
        self.files.append(
            (file.source, FileState(file.path, file.size, file.mtime_ns, scanned.sha256))
        )

    def add(self, source: str, place: str, items: list[ParsedItem], shown: str = "") -> None:
        """Queue `items` seen at `place` (a file's path, a page's URL) of `source`."""
        self.pending += [Capture(item, source, place, shown or place) for item in items]

    def run(self, writer: StoreWriter, cancel: Event) -> set[str]:
        """Write everything queued in `writer`'s transaction, a batch of keys at a time
        (a few statements per batch, not per item), and empty the queue. Returns the
        feeds whose entries changed. Leaving early through `cancel` rolls it back."""
        self.changed_feeds = set()
        self.pending.sort(key=lambda capture: capture.item.key)  # stable: files keep their order
        groups = [list(g) for _, g in groupby(self.pending, key=lambda c: c.item.key)]
        for start in range(0, len(groups), self.batch):
            if cancel.is_set():
                raise RefreshCancelled("cancelled while storing items")
            self._batch(writer, groups[start : start + self.batch])
        for source, states in groupby(self.files, key=lambda entry: entry[0]):
            writer.save_file_states(source, [state for _, state in states], self.decider.now)
        self.pending, self.files = [], []
        return self.changed_feeds

    def _batch(self, writer: StoreWriter, groups: list[list[Capture]]) -> None:
        now = self.decider.now
        keys = [group[0].item.key for group in groups]
        stored = writer.find_items(keys)
        # Asked after `find_items`: an item removed meanwhile by another worker's
        # transaction is then among the tombstones, even if its row was still found.
        removed = writer.removals.removed(keys)
        decisions = []
        for group, key in zip(groups, keys, strict=True):
            decision = self._decide(writer, group, stored.get(key), key in removed)
            if decision.change is not Change.REMOVED:
                decisions.append(decision)
        added = writer.add_items([d.insert for d in decisions if d.insert is not None])
        for index, decision in enumerate(decisions):
            if decision.insert is None:
                continue
            if decision.item.key in added:
                decisions[index] = replace(decision, item_id=added[decision.item.key])
                continue
            found = writer.find_item(decision.item.key)  # another worker stored it first
            assert found is not None
            decisions[index], edit = self.decider.stored_meanwhile(decision, found)
            if edit is not None:
                writer.update_items([edit])
        writer.update_items([d.edit for d in decisions if d.edit is not None])
        retagged = [d for d in decisions if d.retag]
        if self.changed_keys is not None:
            self.changed_keys.update(d.item.key for d in retagged)
            if len(self.changed_keys) > self.keys_listed:
                self.changed_keys = None  # memory stays flat however many items a refresh brings
        ids = {d.item.key: d.item_id or 0 for d in decisions}  # every one has its row by now
        # Stories: each new or changed item joins one; each story's lead carries its tags.
        stories = StoryStep(writer, self.decider.zone, now, self.shown_through, self.sign)
        changes = stories.place(
            ((ids[d.item.key], d.item) for d in retagged),
            fresh={
                ids[d.item.key]: Fresh(d.item.key, d.insert.published, d.insert.tags or {})
                for d in retagged
                if d.insert is not None
            },
        )
        self.changed_feeds |= changes.feeds
        if self.changed_keys is not None:
            self.changed_keys |= changes.keys
        writer.record_sightings(
            [
                NewSighting(ids[d.item.key], source, place, now)
                for d in decisions
                for source, place in d.places
            ]
        )

    def _decide(
        self,
        writer: StoreWriter,
        captures: list[Capture],
        stored: StoredVersion | None,
        removed: bool,
    ) -> ItemDecision:
        """Decide one key, reading first what the decision needs, and count it once,
        however many captures of this refresh hold it."""
        earlier = None
        if stored is not None and self.decider.needs_earlier_place(captures, stored, removed):
            # Where an earlier transaction of this refresh read the stored version.
            first = captures[0]
            earlier = writer.seen_at(stored.item_id, self.decider.now, (first.source, first.place))
        decision = self.decider.decide(captures, stored, removed, earlier)
        self.summary.items_removed_skipped += decision.change is Change.REMOVED
        self.summary.items_new += decision.change is Change.NEW
        self.summary.items_updated += decision.change is Change.CHANGED
        self.summary.items_unchanged += decision.change is Change.UNCHANGED
        self.summary.warnings += decision.warnings
        return decision
