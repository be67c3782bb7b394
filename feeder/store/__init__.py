"""Storage: the only package that talks to the database (SQLAlchemy 2.x).

Items, where each was seen, their topics and per-file scan state live here.
Database errors leave this package as `StoreError`; dialect differences stay here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TypeVarTuple

from sqlalchemy import (
    Connection,
    Row,
    Select,
    create_engine,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..model import Block, DateSource, FileState, ItemKind, ParsedItem, StoredItem
from .schema import (
    ITEM_TOPICS,
    ITEMS,
    META,
    SIGHTINGS,
    SOURCE_FILES,
    Base,
    ItemRow,
    MetaRow,
    SightingRow,
)

_BUSY_TIMEOUT_S = 30
_Columns = TypeVarTuple("_Columns")


class StoreError(Exception):
    """A database operation failed; the message names the database."""


def _dump_blocks(blocks: Iterable[Block]) -> str:
    return json.dumps([[b.kind, b.text] for b in blocks], ensure_ascii=False)


def _load_blocks(body: str) -> tuple[Block, ...]:
    return tuple(Block(kind, text) for kind, text in json.loads(body))


@contextmanager
def _wrapped(url: str) -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise StoreError(f"database {url}: {reason}") from exc


class Store:
    """Items and scan state in one SQL database (SQLite file by default)."""

    def __init__(self, url: str) -> None:
        try:
            self.url = make_url(url).render_as_string(hide_password=True)
        except SQLAlchemyError:
            # The parser's message repeats the whole URL, password included.
            raise StoreError("database_url is not a valid SQLAlchemy database URL") from None
        with _wrapped(self.url):
            self.engine = create_engine(url, **_engine_options(url))
            if self.engine.dialect.name == "sqlite":
                _configure_sqlite(self.engine)
            Base.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write(self) -> Iterator[StoreWriter]:
        """One atomic write transaction: everything in it commits together or not at all."""
        with _wrapped(self.url), self.engine.connect() as conn:
            conn = conn.execution_options(feeder_write=True)
            with conn.begin():
                yield StoreWriter(conn)

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with _wrapped(self.url), self.engine.connect() as conn, conn.begin():
            yield conn

    def file_states(self, source: str) -> dict[str, FileState]:
        with self._read() as conn:
            rows = conn.execute(select(SOURCE_FILES).where(SOURCE_FILES.c.source == source))
            return {r.path: FileState(r.path, r.size, r.mtime_ns, r.sha256) for r in rows}

    def latest_items(self, topic: str | None = None, limit: int = 50) -> list[StoredItem]:
        """The newest `limit` items, of one topic or of all, newest first."""
        items = ITEMS
        if topic is None:
            query = select(items).order_by(items.c.published.desc(), items.c.key).limit(limit)
        else:
            tagged = ITEM_TOPICS
            newest = (
                select(tagged.c.item_id)
                .where(tagged.c.topic == topic)
                .order_by(tagged.c.published.desc(), tagged.c.item_key)
                .limit(limit)
                .subquery()
            )
            query = (
                select(items)
                .join(newest, newest.c.item_id == items.c.id)
                .order_by(items.c.published.desc(), items.c.key)
            )
        with self._read() as conn:
            rows = conn.execute(query).all()
            topics = self._topics_of(conn, [r.id for r in rows])
        return [_stored(r, topics.get(r.id, ())) for r in rows]

    def iter_items(self, batch: int = 500) -> Iterator[StoredItem]:
        """Every item, in key order, fetched in batches so memory stays flat."""
        items = ITEMS
        last = ""
        while True:
            with self._read() as conn:
                rows = conn.execute(
                    select(items).where(items.c.key > last).order_by(items.c.key).limit(batch)
                ).all()
                topics = self._topics_of(conn, [r.id for r in rows])
            if not rows:
                return
            yield from (_stored(r, topics.get(r.id, ())) for r in rows)
            last = rows[-1].key

    def topic_counts(self) -> dict[str, int]:
        """Number of items per topic slug (topics without items are absent)."""
        tagged = ITEM_TOPICS
        with self._read() as conn:
            rows = conn.execute(select(tagged.c.topic, func.count()).group_by(tagged.c.topic))
            return {topic: count for topic, count in rows}

    def item_count(self) -> int:
        with self._read() as conn:
            return conn.execute(select(func.count()).select_from(ITEMS)).scalar_one()

    def sightings(self, key: str) -> list[tuple[str, str]]:
        """Every (source, path) where the item with `key` was seen."""
        query = (
            select(SightingRow.source, SightingRow.path)
            .join(ItemRow, ItemRow.id == SightingRow.item_id)
            .where(ItemRow.key == key)
            .order_by(SightingRow.source, SightingRow.path)
        )
        with self._read() as conn:
            return [(r.source, r.path) for r in conn.execute(query)]

    @staticmethod
    def _topics_of(conn: Connection, ids: list[int]) -> dict[int, tuple[str, ...]]:
        if not ids:
            return {}
        tagged = ITEM_TOPICS
        found: dict[int, list[str]] = {}
        rows = conn.execute(
            select(tagged.c.item_id, tagged.c.topic)
            .where(tagged.c.item_id.in_(ids))
            .order_by(tagged.c.topic)
        )
        for item_id, topic in rows:
            found.setdefault(item_id, []).append(topic)
        return {item_id: tuple(topics) for item_id, topics in found.items()}


class StoreWriter:
    """Writes inside one transaction opened by `Store.write()`."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert

    def get_meta(self, name: str) -> str | None:
        return self.conn.execute(select(MetaRow.value).where(MetaRow.name == name)).scalar()

    def set_meta(self, name: str, value: str) -> None:
        stmt = self._insert(META).values(name=name, value=value)
        self.conn.execute(
            stmt.on_conflict_do_update(index_elements=["name"], set_={"value": value})
        )

    def find_item(self, key: str) -> tuple[int, str, datetime] | None:
        """(row id, content hash, first seen) of the item with `key`, if stored."""
        row = self.conn.execute(
            select(ItemRow.id, ItemRow.content_hash, ItemRow.first_seen).where(ItemRow.key == key)
        ).first()
        return (row.id, row.content_hash, row.first_seen) if row else None

    def add_item(self, item: ParsedItem, published: datetime, seen: datetime) -> int:
        values = _item_values(item) | {
            "published": published,
            "updated": published,
            "first_seen": seen,
        }
        key = self.conn.execute(ITEMS.insert().values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def update_item(
        self, item_id: int, item: ParsedItem, published: datetime, updated: datetime
    ) -> None:
        values = _item_values(item) | {"published": published, "updated": updated}
        self.conn.execute(update(ITEMS).where(ItemRow.id == item_id).values(**values))

    def set_topics(
        self, item_id: int, key: str, published: datetime, topics: Iterable[str]
    ) -> None:
        table = ITEM_TOPICS
        self.conn.execute(delete(table).where(table.c.item_id == item_id))
        rows = [
            {"topic": t, "item_id": item_id, "published": published, "item_key": key}
            for t in topics
        ]
        if rows:
            self.conn.execute(table.insert(), rows)

    def iter_tagging_input(self) -> Iterator[tuple[int, str, str, tuple[Block, ...], datetime]]:
        """(id, key, title, blocks, published) of every item, for re-tagging."""
        query = select(ItemRow.id, ItemRow.key, ItemRow.title, ItemRow.body, ItemRow.published)
        for r in self._in_batches(query):
            yield r.id, r.key, r.title, _load_blocks(r.body), r.published

    def iter_dated_items(self) -> Iterator[tuple[int, date, datetime, datetime]]:
        """(id, calendar day, published, updated) of every item that has a date."""
        query = select(ItemRow.id, ItemRow.day, ItemRow.published, ItemRow.updated)
        for r in self._in_batches(query.where(ItemRow.day.is_not(None))):
            yield r.id, r.day, r.published, r.updated

    def _in_batches(self, query: Select[*_Columns], batch: int = 500) -> Iterator[Row[*_Columns]]:
        """Rows of an item query in id order, `batch` at a time (keyset pagination), so
        memory stays flat and the caller may write between rows."""
        last = 0
        while rows := self.conn.execute(
            query.where(ItemRow.id > last).order_by(ItemRow.id).limit(batch)
        ).all():
            yield from rows
            last = rows[-1].id

    def set_times(self, item_id: int, published: datetime, updated: datetime) -> None:
        """Move an item's published and updated times (and the copies kept for sorting)."""
        self.conn.execute(
            update(ITEMS).where(ITEMS.c.id == item_id).values(published=published, updated=updated)
        )
        self.conn.execute(
            update(ITEM_TOPICS).where(ITEM_TOPICS.c.item_id == item_id).values(published=published)
        )

    def record_sighting(self, item_id: int, source: str, path: str, seen: datetime) -> None:
        stmt = self._insert(SIGHTINGS).values(
            item_id=item_id, source=source, path=path, first_seen=seen, last_seen=seen
        )
        self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["item_id", "source", "path"], set_={"last_seen": seen}
            )
        )

    def save_file_state(self, source: str, state: FileState, scanned: datetime) -> None:
        values = {
            "size": state.size,
            "mtime_ns": state.mtime_ns,
            "sha256": state.sha256,
            "scanned_at": scanned,
        }
        stmt = self._insert(SOURCE_FILES).values(source=source, path=state.path, **values)
        self.conn.execute(
            stmt.on_conflict_do_update(index_elements=["source", "path"], set_=values)
        )

    def forget_files(self, source: str, paths: Iterable[str]) -> None:
        table = SOURCE_FILES
        for path in paths:
            self.conn.execute(delete(table).where(table.c.source == source, table.c.path == path))


def _item_values(item: ParsedItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "title": item.title,
        "kind": item.kind.value,
        "body": _dump_blocks(item.blocks),
        "author": item.author,
        "content_hash": item.content_hash,
        "date_source": item.date_source.value,
        "day": item.day,
    }


def _stored(row: Any, topics: tuple[str, ...]) -> StoredItem:
    return StoredItem(
        key=row.key,
        title=row.title,
        blocks=_load_blocks(row.body),
        kind=ItemKind(row.kind),
        published=row.published,
        updated=row.updated,
        first_seen=row.first_seen,
        date_source=DateSource(row.date_source),
        author=row.author,
        topics=topics,
    )


def _engine_options(url: str) -> dict[str, Any]:
    if make_url(url).get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": _BUSY_TIMEOUT_S}}
    return {"pool_pre_ping": True}


def _configure_sqlite(engine: Any) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN IMMEDIATE below is ours.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write transaction takes the write lock up front: in WAL mode a read that
        # later upgrades to a write fails at once if another writer committed meanwhile.
        immediate = conn.get_execution_options().get("feeder_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
