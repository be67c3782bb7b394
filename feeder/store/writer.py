"""Writes inside one transaction opened by `Store.write()`."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import Connection, Row, Select, bindparam, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from feeder.model import FileState, ParsedItem, WebState
from feeder.store import leasing
from feeder.store.intents import ItemEdit, NewItem, NewSighting
from feeder.store.removals import RemovalWriter
from feeder.store.rows import (
    DatedItem,
    StoredVersion,
    TaggingInput,
    item_edit_row,
    load_blocks,
    new_item_row,
    tags_value,
)
from feeder.store.schema import (
    FEED_VERSIONS,
    ITEM_TOPICS,
    ITEMS,
    META,
    SIGHTINGS,
    SOURCE_FILES,
    SOURCE_STATUS,
    WEB_STATE,
)
from feeder.store.stories import StoryWriter

_Columns = TypeVarTuple("_Columns")
_BATCH = 500  # keys per IN (...) list: well under every database's parameter limit


class StoreWriter:
    """Writes inside one transaction opened by `Store.write()`."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        self.stories = StoryWriter(conn, self.insert)  # stories, in the same transaction
        self.removals = RemovalWriter(conn)  # items the user removed, likewise

    def get_meta(self, name: str) -> str | None:
        return self.conn.execute(select(META.c.value).where(META.c.name == name)).scalar()

    def delete_meta(self, name: str) -> None:
        self.conn.execute(delete(META).where(META.c.name == name))

    def set_meta(self, name: str, value: str) -> None:
        stmt = self.insert(META).values(name=name, value=value)
        self.conn.execute(
            stmt.on_conflict_do_update(index_elements=["name"], set_={"value": value})
        )

    def find_item(self, key: str) -> StoredVersion | None:
        """The stored version of the item with `key`, if stored."""
        row = self.conn.execute(
            select(ITEMS.c.id, ITEMS.c.content_hash, ITEMS.c.first_seen).where(ITEMS.c.key == key)
        ).first()
        return StoredVersion(row.id, row.content_hash, row.first_seen) if row else None

    def add_item(self, item: ParsedItem, published: datetime, seen: datetime) -> int | None:
        """Store one new item (see `add_items`); its row id, or None if stored meanwhile."""
        return self.add_items([NewItem(item, published, published, seen)]).get(item.key)

    def find_items(self, keys: list[str]) -> dict[str, StoredVersion]:
        """key -> stored version of those of `keys` that are stored."""
        found: dict[str, StoredVersion] = {}
        for start in range(0, len(keys), _BATCH):
            rows = self.conn.execute(
                select(ITEMS.c.key, ITEMS.c.id, ITEMS.c.content_hash, ITEMS.c.first_seen).where(
                    ITEMS.c.key.in_(keys[start : start + _BATCH])
                )
            )
            found.update((r.key, StoredVersion(r.id, r.content_hash, r.first_seen)) for r in rows)
        return found

    def add_items(self, items: list[NewItem]) -> dict[str, int]:
        """Store new items, in the order given; returns key -> row id of those stored.
        A key missing from the result was stored by another writer meanwhile (the
        upsert is idempotent)."""
        if not items:
            return {}
        if self.conn.dialect.name == "sqlite":
            return self._add_items_locked(items)
        # No `sort_by_parameter_order`: each row returns its key, so any order will do,
        # and the rows go in multi-row batches.
        stmt = (
            self.insert(ITEMS)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(ITEMS.c.key, ITEMS.c.id)
        )
        added: dict[str, int] = {}
        # One statement per shape of row: an executemany binds the same columns in each.
        for tagged in (True, False):
            rows = [new_item_row(new) for new in items if (new.tags is not None) is tagged]
            if rows:
                added |= {r.key: r.id for r in self.conn.execute(stmt, rows)}
        return added

    def _add_items_locked(self, items: list[NewItem]) -> dict[str, int]:
        """`add_items` on SQLite, whose write transactions hold the database's write lock
        from their start (BEGIN IMMEDIATE): the keys stored already are those stored
        when asked here, so a plain executemany stores the rest, and one query finds
        their ids. (With RETURNING, SQLAlchemy sent SQLite one statement per row.)"""
        keys = [new.item.key for new in items]
        stored = set(self._ids_of(keys))
        stmt = self.insert(ITEMS).on_conflict_do_nothing(index_elements=["key"])
        for tagged in (True, False):
            rows = [
                new_item_row(new)
                for new in items
                if (new.tags is not None) is tagged and new.item.key not in stored
            ]
            if rows:
                self.conn.execute(stmt, rows)
        return self._ids_of([key for key in keys if key not in stored])

    def _ids_of(self, keys: list[str]) -> dict[str, int]:
        """key -> row id of those of `keys` that are stored."""
        found: dict[str, int] = {}
        for start in range(0, len(keys), _BATCH):
            rows = self.conn.execute(
                select(ITEMS.c.key, ITEMS.c.id).where(ITEMS.c.key.in_(keys[start : start + _BATCH]))
            )
            found.update((key, item_id) for key, item_id in rows)
        return found

    def update_items(self, edits: list[ItemEdit]) -> None:
        """Rewrite stored items with the versions read now (and their tags, if given)."""
        stmt = update(ITEMS).where(ITEMS.c.id == bindparam("item_id"))
        for tagged in (True, False):
            rows = [item_edit_row(edit) for edit in edits if (edit.tags is not None) is tagged]
            if rows:
                self.conn.execute(stmt, rows)

    def drop_topics(self, item_ids: list[int]) -> dict[int, set[str]]:
        """Remove the topics of these items; returns each one's topics before."""
        table, before = ITEM_TOPICS, dict[int, set[str]]()
        for start in range(0, len(item_ids), _BATCH):
            rows = self.conn.execute(
                delete(table)
                .where(table.c.item_id.in_(item_ids[start : start + _BATCH]))
                .returning(table.c.item_id, table.c.topic)
            )
            for item_id, topic in rows:
                before.setdefault(item_id, set()).add(topic)
        return before

    def add_topics(self, rows: list[dict[str, Any]]) -> None:
        """Tag items: rows of topic, item_id, published, item_key and why (the reason)."""
        if rows:  # a concurrent writer may have tagged one the same way meanwhile
            self.conn.execute(self.insert(ITEM_TOPICS).on_conflict_do_nothing(), rows)

    def record_sightings(self, sightings: list[NewSighting]) -> None:
        """Note where items were seen (a place seen before keeps its first sighting)."""
        rows = [
            {"item_id": s.item_id, "source": s.source, "path": s.place, "first_seen": s.seen,
             "last_seen": s.seen}
            for s in sightings
        ]  # fmt: skip
        if rows:
            stmt = self.insert(SIGHTINGS)
            stmt = stmt.on_conflict_do_update(
                index_elements=["item_id", "source", "path"],
                set_={"last_seen": stmt.excluded.last_seen},
            )
            self.conn.execute(stmt, rows)

    def seen_at(self, item_id: int, when: datetime, besides: tuple[str, str]) -> str | None:
        """A place (file path or URL) other than `besides` (source, place) where this
        item was recorded as seen at `when`."""
        sightings = SIGHTINGS.c
        return self.conn.execute(
            select(sightings.path)
            .where(sightings.item_id == item_id, sightings.last_seen == when)
            .where(or_(sightings.source != besides[0], sightings.path != besides[1]))
            .limit(1)
        ).scalar()

    def save_file_states(self, source: str, states: list[FileState], scanned: datetime) -> None:
        if not states:
            return
        stmt = self.insert(SOURCE_FILES)
        stmt = stmt.on_conflict_do_update(
            index_elements=["source", "path"],
            set_={c: stmt.excluded[c] for c in ("size", "mtime_ns", "sha256", "scanned_at")},
        )
        rows = [
            {"source": source, "path": s.path, "size": s.size, "mtime_ns": s.mtime_ns,
             "sha256": s.sha256, "scanned_at": scanned}
            for s in states
        ]  # fmt: skip
        self.conn.execute(stmt, rows)

    def update_item(
        self, item_id: int, item: ParsedItem, published: datetime, updated: datetime
    ) -> None:
        """Rewrite one stored item (see `update_items`), leaving its tags."""
        self.update_items([ItemEdit(item_id, item, published, updated)])

    def set_topics(
        self, item_id: int, key: str, published: datetime, topics: Mapping[str, str]
    ) -> set[str]:
        """Replace the item's topics (slug -> why it is in it); returns those it had."""
        table = ITEM_TOPICS
        before = self.conn.execute(
            delete(table).where(table.c.item_id == item_id).returning(table.c.topic)
        )
        old = set(before.scalars())
        rows = [
            {"topic": t, "item_id": item_id, "published": published, "item_key": key, "why": why}
            for t, why in topics.items()
        ]
        if rows:  # a concurrent writer may have tagged it the same way meanwhile
            self.conn.execute(self.insert(table).on_conflict_do_nothing(), rows)
        return old

    def set_own_tags(self, item_id: int, tags: Mapping[str, str]) -> None:
        """Record an item's own topics (slug -> why); its story's lead carries them."""
        self.conn.execute(update(ITEMS).where(ITEMS.c.id == item_id).values(tags=tags_value(tags)))

    def feed_versions(self) -> dict[str, int]:
        """Every feed's version, as this transaction sees it."""
        return feed_versions(self.conn)

    def bump_feeds(self, feeds: Iterable[str], now: datetime) -> dict[str, int]:
        """Move the version of each feed whose entries this transaction changed, and
        its change time, at least a second past the previous one: HTTP dates count
        whole seconds, and a refresh that started earlier may commit later. Returns
        each bumped feed's new version."""
        table = FEED_VERSIONS
        versions: dict[str, int] = {}
        for feed in sorted(feeds):  # one order for every writer: no deadlocks
            current = self.conn.execute(
                select(table.c.changed_at).where(table.c.feed == feed).with_for_update()
            ).first()
            changed = now if current is None else max(now, current[0] + timedelta(seconds=1))
            stmt = self.insert(table).values(feed=feed, version=1, changed_at=changed)
            versions[feed] = self.conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["feed"],
                    set_={"version": table.c.version + 1, "changed_at": changed},
                ).returning(table.c.version)
            ).scalar_one()
        return versions

    def iter_tagging_input(self) -> Iterator[TaggingInput]:
        """What re-tagging needs of every item."""
        query = select(ITEMS.c.id, ITEMS.c.key, ITEMS.c.title, ITEMS.c.body, ITEMS.c.published)
        for r in self._in_batches(query):
            yield TaggingInput(r.id, r.key, r.title, load_blocks(r.body), r.published)

    def iter_dated_items(self) -> Iterator[DatedItem]:
        """Every item dated by a calendar day, with its times, for re-dating."""
        query = select(
            ITEMS.c.id, ITEMS.c.key, ITEMS.c.day, ITEMS.c.published, ITEMS.c.updated,
            ITEMS.c.first_seen,
        )  # fmt: skip
        for r in self._in_batches(query.where(ITEMS.c.day.is_not(None))):
            yield DatedItem(r.id, r.day, r.published, r.updated, r.first_seen)

    def _in_batches(self, query: Select[*_Columns], batch: int = 500) -> Iterator[Row[*_Columns]]:
        """Rows of an item query (which selects the key) in key order, `batch` at a time
        (keyset pagination), so memory stays flat and the caller may write between rows.
        Key order is the order every writer locks items in: no deadlocks between them."""
        last = ""
        while rows := self.conn.execute(
            query.where(ITEMS.c.key > last).order_by(ITEMS.c.key).limit(batch)
        ).all():
            yield from rows
            last = rows[-1].key

    def set_times(self, item_id: int, published: datetime, updated: datetime) -> None:
        """Move an item's published and updated times (and the copies kept for sorting)."""
        self.conn.execute(
            update(ITEMS).where(ITEMS.c.id == item_id).values(published=published, updated=updated)
        )
        self.conn.execute(
            update(ITEM_TOPICS).where(ITEM_TOPICS.c.item_id == item_id).values(published=published)
        )

    def record_scan(self, source: str, at: datetime, error: str | None) -> None:
        """Note a scan of `source`: a success resets its failure count, a failure adds one."""
        if error is None:
            values: dict[str, Any] = {
                "last_scan": at,
                "last_success": at,
                "failures": 0,
                "last_error": None,
            }
            update_values: dict[str, Any] = values
        else:
            values = {"last_scan": at, "failures": 1, "last_error": error}
            update_values = {
                "last_scan": at,
                "failures": SOURCE_STATUS.c.failures + 1,
                "last_error": error,
            }
        stmt = self.insert(SOURCE_STATUS).values(source=source, **values)
        self.conn.execute(stmt.on_conflict_do_update(index_elements=["source"], set_=update_values))

    def save_web_state(self, source: str, state: WebState) -> None:
        values = {
            "etag": state.etag,
            "last_modified": state.last_modified,
            "sha256": state.sha256,
            "retry_after": state.retry_after,
        }
        stmt = self.insert(WEB_STATE).values(source=source, **values)
        self.conn.execute(stmt.on_conflict_do_update(index_elements=["source"], set_=values))

    def forget_files(self, source: str, paths: Iterable[str]) -> None:
        table = SOURCE_FILES
        for path in paths:
            self.conn.execute(delete(table).where(table.c.source == source, table.c.path == path))

    def claim_sources(
        self,
        sources: list[str],
        holder: str,
        now: datetime,
        until: datetime,
        every: bool,
        gone: Collection[str] = (),
    ) -> list[str]:
        """See `leasing.claim_sources`."""
        return leasing.claim_sources(
            self.conn, self.insert, sources, holder, now, until, every, gone
        )

    def release_sources(self, sources: list[str], holder: str) -> None:
        """See `leasing.release_sources`."""
        leasing.release_sources(self.conn, sources, holder)


def feed_versions(conn: Connection) -> dict[str, int]:
    """Every feed's version (feed -> version) as `conn` sees it."""
    table = FEED_VERSIONS
    return {feed: version for feed, version in conn.execute(select(table.c.feed, table.c.version))}
