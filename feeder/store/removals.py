"""Removed items in the database. `feeder remove` moves an item's row, signature and
sightings into a tombstone under its key and deletes them, so nothing that reads items
(feeds, archives, search, stories, counts) sees it any more and the ingest skips its
key; `feeder restore` moves them back. Writes run inside the transaction of
`Store.write()` (`StoreWriter.removals`)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, NamedTuple

from sqlalchemy import Connection, Date, Table, delete, select, update

from feeder.store.records import KeyMatches, StoredParse
from feeder.store.schema import (
    ITEM_TOPICS,
    ITEMS,
    REMOVED_ITEMS,
    SIGHTINGS,
    SOURCE_FILES,
    STORY_SIGNATURES,
    STORY_TERMS,
    WEB_STATE,
    UTCDateTime,
)
from feeder.store.story_reads import as_parsed

_BATCH = 500  # keys per IN (...) list


@dataclass(frozen=True)
class RemovedItem:
    """A removed item, as its tombstone keeps it."""

    key: str
    title: str
    published: datetime
    removed_at: datetime
    heir: str | None  # the report that took over its story's entry, when it led one


class Removed(NamedTuple):
    """What removing an item did: its tombstone, and the topics its entry had."""

    tomb: RemovedItem
    topics: set[str]


def removed_keys(conn: Connection, keys: Collection[str] | None = None) -> set[str]:
    """Which of `keys` (None: of all keys) the user removed."""
    query = select(REMOVED_ITEMS.c.item_key)
    if keys is None:
        return set(conn.execute(query).scalars())
    wanted, found = sorted(keys), set[str]()
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        found.update(conn.execute(query.where(REMOVED_ITEMS.c.item_key.in_(chunk))).scalars())
    return found


class RemovalWriter:
    """Tombstone reads and writes in one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def removed(self, keys: Collection[str]) -> set[str]:
        """Which of `keys` the user removed."""
        return removed_keys(self.conn, keys)

    def keys_starting(self, prefix: str, limit: int) -> KeyMatches:
        """The stored and the removed keys starting with `prefix`, up to `limit` of each."""
        return KeyMatches(
            self._starting(ITEMS.c.key, prefix, limit),
            self._starting(REMOVED_ITEMS.c.item_key, prefix, limit),
        )

    def _starting(self, column: Any, prefix: str, limit: int) -> list[str]:
        # Keys are lowercase hex: those starting with `prefix` sort below `prefix` + "g".
        query = select(column).where(column >= prefix, column < prefix + "g")
        return list(self.conn.execute(query.order_by(column).limit(limit)).scalars())

    def find(self, key: str) -> RemovedItem | None:
        """The tombstone of `key`, if the user removed it."""
        row = self.conn.execute(
            select(REMOVED_ITEMS).where(REMOVED_ITEMS.c.item_key == key)
        ).first()
        if row is None:
            return None
        saved = _load(ITEMS, row.item)
        return RemovedItem(key, saved["title"], saved["published"], row.removed_at, row.heir_key)

    def remove(self, item_id: int, heir: str | None, now: datetime) -> Removed:
        """Move the item's row, signature and sightings into its tombstone and delete
        them, with its topics and story terms; returns the tombstone and the topics its
        entry had. Its story must be handed over first: no report may name it its lead."""
        row = self.conn.execute(select(ITEMS).where(ITEMS.c.id == item_id)).one()
        signature = self.conn.execute(
            select(STORY_SIGNATURES.c.signature).where(STORY_SIGNATURES.c.item_id == item_id)
        ).scalar()
        seen = self.conn.execute(
            select(SIGHTINGS.c.source, SIGHTINGS.c.path, SIGHTINGS.c.first_seen,
                   SIGHTINGS.c.last_seen)
            .where(SIGHTINGS.c.item_id == item_id)
            .order_by(SIGHTINGS.c.source, SIGHTINGS.c.path)
        )  # fmt: skip
        sightings = [[s.source, s.path, s.first_seen.isoformat(), s.last_seen.isoformat()]
                     for s in seen]  # fmt: skip
        self.conn.execute(
            REMOVED_ITEMS.insert().values(
                item_key=row.key, removed_at=now, heir_key=heir, item=_dump(ITEMS, row),
                signature=signature, sightings=json.dumps(sightings, ensure_ascii=False),
            )
        )  # fmt: skip
        topics = set(
            self.conn.execute(
                delete(ITEM_TOPICS).where(ITEM_TOPICS.c.item_id == item_id)
                .returning(ITEM_TOPICS.c.topic)
            ).scalars()
        )  # fmt: skip
        # The foreign keys cascade too; deleting explicitly does not depend on them.
        for table in (SIGHTINGS, STORY_TERMS, STORY_SIGNATURES):
            self.conn.execute(delete(table).where(table.c.item_id == item_id))
        self.conn.execute(delete(ITEMS).where(ITEMS.c.id == item_id))
        return Removed(RemovedItem(row.key, row.title, row.published, now, heir), topics)

    def restore(self, key: str) -> StoredParse:
        """Put a removed item's row (under its old row id, unless another item took it:
        stories take their first-stored report as entry) and sightings back, a story of
        its own, and delete its tombstone. Returns its row id and the item as parsed."""
        tomb = self.conn.execute(select(REMOVED_ITEMS).where(REMOVED_ITEMS.c.item_key == key)).one()
        values = _load(ITEMS, tomb.item) | {"story_id": None}
        taken = self.conn.execute(select(ITEMS.c.id).where(ITEMS.c.id == values["id"])).first()
        if taken is not None:
            del values["id"]
        item_id: int = self.conn.execute(
            ITEMS.insert().values(**values).returning(ITEMS.c.id)
        ).scalar_one()
        sightings = [
            {"item_id": item_id, "source": source, "path": path,
             "first_seen": datetime.fromisoformat(first), "last_seen": datetime.fromisoformat(last)}
            for source, path, first, last in json.loads(tomb.sightings)
        ]  # fmt: skip
        if sightings:
            self.conn.execute(SIGHTINGS.insert(), sightings)
        self._read_again([(s["source"], s["path"]) for s in sightings])
        self.conn.execute(delete(REMOVED_ITEMS).where(REMOVED_ITEMS.c.item_key == key))
        row = {column.name: None for column in ITEMS.c} | values
        return StoredParse(item_id, as_parsed(SimpleNamespace(**row, signature=tomb.signature)))

    def _read_again(self, places: list[tuple[str, str]]) -> None:
        """Make the next refresh read these captures and fetch their sources in full:
        while the item was removed, a changed capture of it was read and skipped."""
        for source, path in places:
            self.conn.execute(
                delete(SOURCE_FILES).where(SOURCE_FILES.c.source == source,
                                           SOURCE_FILES.c.path == path)
            )  # fmt: skip
        sources = sorted({source for source, _ in places})
        if sources:
            self.conn.execute(
                update(WEB_STATE)
                .where(WEB_STATE.c.source.in_(sources))
                .values(etag=None, last_modified=None, sha256=None)
            )


def _dump(table: Table, row: Any) -> str:
    """A row of `table` as JSON (dates and times as ISO 8601)."""
    values = {}
    for column in table.c:
        value = row._mapping[column]
        values[column.name] = value.isoformat() if isinstance(value, date) else value
    return json.dumps(values, ensure_ascii=False)


def _load(table: Table, text: str) -> dict[str, Any]:
    """The values of a row `_dump` wrote, for the columns `table` has now."""
    saved = json.loads(text)
    values: dict[str, Any] = {}
    for column in table.c:
        if column.name not in saved:
            continue  # a column added after the removal: its default
        value = saved[column.name]
        if value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        values[column.name] = value
    return values
