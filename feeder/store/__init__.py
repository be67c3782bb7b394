"""Storage: the only package that talks to the database (SQLAlchemy 2.x).

Items, where each was seen, their topics and per-file scan state live here.
Database errors leave this package as `StoreError`; dialect differences stay here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Select, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from feeder.model import FileState, ItemStamp, SourceStatus, StoredItem, WebState
from feeder.store.finding import ItemQuery, find_items, sources_of
from feeder.store.locks import (
    LockBusyError,
    LockWaitCancelled,
    exclusive_lock,
    holder_of,
    worker_is_gone,
    worker_name,
)
from feeder.store.migrate import SchemaState, schema_state, upgrade
from feeder.store.removals import RemovedItem, removed_keys
from feeder.store.rows import stored_item
from feeder.store.schema import (
    FEED_VERSIONS,
    ITEM_TOPICS,
    ITEMS,
    META,
    SOURCE_FILES,
    SOURCE_LEASES,
    SOURCE_STATUS,
    WEB_STATE,
    ItemRow,
    SightingRow,
)
from feeder.store.search import SearchQueryError, search_statement
from feeder.store.stories import story_reports
from feeder.store.writer import StoreWriter, feed_versions

__all__ = [
    "ItemQuery",
    "LockBusyError",
    "LockWaitCancelled",
    "RemovedItem",
    "SchemaBehindError",
    "SchemaState",
    "SearchQueryError",
    "Store",
    "StoreError",
    "StoreWriter",
    "worker_is_gone",
    "worker_name",
]

_BUSY_TIMEOUT_S = 30


class StoreError(Exception):
    """A database operation failed; the message names the database."""


class SchemaBehindError(StoreError):
    """The database's schema is older than this feeder and must be upgraded explicitly."""


@contextmanager
def _wrapped(url: str) -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise StoreError(f"database {url}: {reason}") from exc


class Store:
    """Items and scan state in one SQL database (SQLite file by default)."""

    def __init__(self, url: str, *, check_schema: bool = True) -> None:
        """Open the database. A SQLite schema is brought up to date here; a PostgreSQL
        one only by `feeder db upgrade` (`SchemaBehindError` until then), since several
        workers share it. `check_schema=False` opens it as it is, to migrate it."""
        try:
            self.url = make_url(url).render_as_string(hide_password=True)
        except SQLAlchemyError:
            # The parser's message repeats the whole URL, password included.
            raise StoreError("database_url is not a valid SQLAlchemy database URL") from None
        database = make_url(url).database
        # Lock files sit beside a SQLite file; an in-memory database needs none.
        self._lock_base = (
            Path(database)
            if self.url.startswith("sqlite") and database not in (None, "", ":memory:")
            else None
        )
        with _wrapped(self.url):
            self.engine = create_engine(url, **_engine_options(url))
            self.dialect = self.engine.dialect.name
            if self.dialect == "sqlite":
                _configure_sqlite(self.engine)
            if check_schema:
                try:
                    self._check_schema()
                except BaseException:
                    self.engine.dispose()
                    raise

    def _check_schema(self) -> None:
        state = schema_state(self.engine)
        if not state.known:
            raise StoreError(
                f"database {self.url}: its schema is at revision {state.current}, newer than "
                f"this feeder knows (up to {state.head}); upgrade feeder"
            )
        if not state.behind:
            return
        if self.dialect == "sqlite":
            upgrade(self.engine)
            return
        raise SchemaBehindError(
            f"database {self.url}: its schema is at revision {state.current or 'none (empty)'}"
            f" but this feeder needs {state.head}; run `feeder db upgrade` first"
        )

    def schema_state(self) -> SchemaState:
        """Which schema revision the database is at, and which this feeder needs."""
        with _wrapped(self.url):
            return schema_state(self.engine)

    def upgrade_schema(self) -> SchemaState:
        """Migrate the schema to this feeder's revision; returns where it stood before."""
        with _wrapped(self.url):
            return upgrade(self.engine)

    @contextmanager
    def writer_lock(
        self, timeout: float, give_up: Callable[[], bool] | None = None
    ) -> Iterator[None]:
        """Be the only process refreshing this SQLite database, waiting up to `timeout`
        seconds (`LockBusyError`) or until `give_up()` (`LockWaitCancelled`). On a server
        database refreshes run side by side, sharing the sources through leases."""
        if self._lock_base is None:
            yield
            return
        path = self._lock_base.with_name(self._lock_base.name + ".lock")
        with exclusive_lock(path, timeout, f"refreshing {self._lock_base}", give_up):
            yield

    @contextmanager
    def service_claim(self) -> Iterator[None]:
        """Be the only `feeder serve` for this SQLite database; fails at once if one runs.
        Any number of workers may serve a server database."""
        if self._lock_base is None:
            yield
            return
        path = self._lock_base.with_name(self._lock_base.name + ".serve.lock")
        # A short wait: `feeder status` takes this lock for an instant to look at it.
        with exclusive_lock(path, 2, f"already serving {self._lock_base}"):
            yield

    def service_pid(self) -> int | None:
        """The pid of the `feeder serve` running on this database, if any."""
        if self._lock_base is None:
            return None
        return holder_of(self._lock_base.with_name(self._lock_base.name + ".serve.lock"))

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write(self, busy_timeout: float = _BUSY_TIMEOUT_S) -> Iterator[StoreWriter]:
        """One atomic write transaction: everything in it commits together or not at all.
        On SQLite it waits up to `busy_timeout` seconds for another writer to finish."""
        with _wrapped(self.url), self.engine.connect() as conn:
            conn = conn.execution_options(feeder_write=True, feeder_busy_ms=busy_timeout * 1000)
            with conn.begin():
                yield StoreWriter(conn)

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with _wrapped(self.url), self.engine.connect() as conn, conn.begin():
            yield conn

    def meta(self, names: list[str]) -> dict[str, str]:
        """The values the refreshes recorded under `names` (those recorded at all)."""
        with self._read() as conn:
            rows = conn.execute(select(META.c.name, META.c.value).where(META.c.name.in_(names)))
            return {name: value for name, value in rows}

    def recorded_listing(self, source: str, meta: str) -> tuple[str | None, int]:
        """(the value recorded under `meta`, how many files of `source` have a scan
        state): what a rescan compares a folder's listing against."""
        with self._read() as conn:
            recorded = conn.execute(select(META.c.value).where(META.c.name == meta)).scalar()
            table = SOURCE_FILES
            count = conn.execute(
                select(func.count()).select_from(table).where(table.c.source == source)
            ).scalar_one()
            return recorded, count

    def file_states(self, source: str) -> dict[str, FileState]:
        with self._read() as conn:
            table = SOURCE_FILES
            rows = conn.execute(
                select(table.c.path, table.c.size, table.c.mtime_ns, table.c.sha256).where(
                    table.c.source == source
                )
            )
            return {path: FileState(path, size, mtime, sha) for path, size, mtime, sha in rows}

    def latest_items(self, topic: str | None = None, limit: int = 50) -> list[StoredItem]:
        """The newest `limit` items, of one topic or of all, newest first.

        Both come straight off an index (`ix_items_newest`, `ix_item_topics_newest`),
        never sorting the table: the few rows found are put in order here.
        """
        query = self.newest_query(limit, topic)
        with self._read() as conn:
            rows = list(conn.execute(query))
            topics = self._topics_of(conn, [r.id for r in rows])
            stories = story_reports(conn, rows)
        return [stored_item(r, topics.get(r.id), stories.get(r.id)) for r in _newest_first(rows)]

    def find_items(self, query: ItemQuery) -> list[StoredItem]:
        """The newest entries matching `query` (see `ItemQuery`), each with the source
        it was read from; `SearchQueryError` for a search that cannot be parsed."""
        with self._read() as conn:
            rows = find_items(conn, self.dialect, query)
            ids = [r.id for r in rows]
            topics, sources = self._topics_of(conn, ids), sources_of(conn, ids)
            stories = story_reports(conn, rows)
        return [
            dataclasses.replace(
                stored_item(r, topics.get(r.id), stories.get(r.id)), source=sources.get(r.id, "")
            )
            for r in rows
        ]

    def newest_stories(self, limit: int) -> list[StoredItem]:
        """The newest `limit` stories of more than one report, as their leads (each
        with its other reports), newest first."""
        other = ITEMS.alias("other")
        reported = select(other.c.id).where(other.c.story_id == ITEMS.c.id).exists()
        query = (
            select(ITEMS)
            .where(ITEMS.c.story_id.is_(None), reported)
            .order_by(ITEMS.c.published.desc(), ITEMS.c.key)
            .limit(limit)
        )
        with self._read() as conn:
            rows = list(conn.execute(query))
            topics = self._topics_of(conn, [r.id for r in rows])
            stories = story_reports(conn, rows)
            sources = sources_of(conn, [r.id for r in rows])
        return [
            dataclasses.replace(
                stored_item(r, topics.get(r.id), stories.get(r.id)), source=sources.get(r.id, "")
            )
            for r in rows
        ]

    def newest_query(self, limit: int, topic: str | None = None) -> Select[Any]:
        """The statement behind `latest_items` (for `EXPLAIN` in the benchmarks)."""
        items = ITEMS
        if topic is None:  # story leads: a story is one entry
            return (
                select(items)
                .where(items.c.story_id.is_(None))
                .order_by(items.c.published.desc(), items.c.key)
                .limit(limit)
            )
        tagged = ITEM_TOPICS
        newest = (
            select(tagged.c.item_id)
            .where(tagged.c.topic == topic)
            .order_by(tagged.c.published.desc(), tagged.c.item_key)
            .limit(limit)
            .subquery()
        )
        return select(items).join(newest, newest.c.item_id == items.c.id)

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
                stories = story_reports(conn, rows)
            if not rows:
                return
            yield from (stored_item(r, topics.get(r.id), stories.get(r.id)) for r in rows)
            last = rows[-1].key

    def item_stamps(self, topic: str | None = None) -> list[ItemStamp]:
        """Key and times of every item (of one topic, or all): what places each item
        in its feed's archive pages (see `publish.chain`)."""
        items = ITEMS
        query = select(items.c.key, items.c.published, items.c.updated)
        if topic is None:
            query = query.where(items.c.story_id.is_(None))  # story leads only
        else:
            tagged = ITEM_TOPICS
            query = query.join(tagged, tagged.c.item_id == items.c.id).where(
                tagged.c.topic == topic
            )
        with self._read() as conn:
            return [ItemStamp(*row) for row in conn.execute(query)]

    def items_by_keys(self, keys: list[str], batch: int = 500) -> Iterator[StoredItem]:
        """The stored items with these keys, fetched in batches (in no set order)."""
        for start in range(0, len(keys), batch):
            with self._read() as conn:
                rows = conn.execute(
                    select(ITEMS).where(ITEMS.c.key.in_(keys[start : start + batch]))
                ).all()
                topics = self._topics_of(conn, [r.id for r in rows])
                stories = story_reports(conn, rows)
            yield from (stored_item(r, topics.get(r.id), stories.get(r.id)) for r in rows)

    def topic_counts(self) -> dict[str, int]:
        """Number of items per topic slug (topics without items are absent)."""
        tagged = ITEM_TOPICS
        with self._read() as conn:
            rows = conn.execute(select(tagged.c.topic, func.count()).group_by(tagged.c.topic))
            return {topic: count for topic, count in rows}

    def topic_count(self, topic: str) -> int:
        tagged = ITEM_TOPICS
        query = select(func.count()).select_from(tagged).where(tagged.c.topic == topic)
        with self._read() as conn:
            return conn.execute(query).scalar_one()

    def item_count(self) -> int:
        with self._read() as conn:
            return conn.execute(select(func.count()).select_from(ITEMS)).scalar_one()

    def story_count(self) -> int:
        """How many stories there are: the entries of the all-news feed."""
        with self._read() as conn:
            query = select(func.count()).select_from(ITEMS).where(ITEMS.c.story_id.is_(None))
            return conn.execute(query).scalar_one()

    def search(self, query: str, limit: int) -> list[StoredItem]:
        """Items matching a full-text query (see `search`), newest first.

        Raises `SearchQueryError` for a query that cannot be parsed.
        """
        statement = search_statement(self.dialect, query, limit)
        with self._read() as conn:
            rows = conn.execute(statement).all()
            topics = self._topics_of(conn, [r.id for r in rows])
            stories = story_reports(conn, rows)
        return [stored_item(r, topics.get(r.id), stories.get(r.id)) for r in rows]

    def web_state(self, source: str) -> WebState:
        """What the last fetch of a web source saved (empty for a new source)."""
        with self._read() as conn:
            row = conn.execute(select(WEB_STATE).where(WEB_STATE.c.source == source)).first()
        if row is None:
            return WebState()
        return WebState(row.etag, row.last_modified, row.sha256, row.retry_after)

    def known_keys(self, keys: list[str]) -> set[str]:
        """Which of `keys` are stored already, or were removed by the user."""
        with self._read() as conn:
            stored = conn.execute(select(ITEMS.c.key).where(ITEMS.c.key.in_(keys))).scalars()
            return set(stored) | removed_keys(conn, keys)

    def removed_keys(self) -> set[str]:
        """The keys of every item the user removed (`feeder remove`)."""
        with self._read() as conn:
            return removed_keys(conn)

    def source_statuses(self) -> dict[str, SourceStatus]:
        with self._read() as conn:
            return {
                r.source: SourceStatus(
                    r.source, r.last_scan, r.last_success, r.failures, r.last_error, r.next_run
                )
                for r in conn.execute(select(SOURCE_STATUS))
            }

    def set_next_run(self, source: str, at: datetime | None) -> None:
        """Record when the service will scan `source` next, for `feeder status`."""
        with self.write() as writer:
            stmt = writer.insert(SOURCE_STATUS).values(source=source, next_run=at, failures=0)
            writer.conn.execute(
                stmt.on_conflict_do_update(index_elements=["source"], set_={"next_run": at})
            )

    def feed_version(self, feed: str) -> tuple[int, datetime | None]:
        """(version, changed at) of a feed's entries; (0, None) before it had any."""
        table = FEED_VERSIONS
        query = select(table.c.version, table.c.changed_at).where(table.c.feed == feed)
        with self._read() as conn:
            row = conn.execute(query).first()
        return (row.version, row.changed_at) if row else (0, None)

    def feed_versions(self) -> dict[str, int]:
        """Every feed's version: equal mappings, equal feeds."""
        with self._read() as conn:
            return feed_versions(conn)

    def claim_sources(
        self,
        sources: list[str],
        holder: str,
        now: datetime,
        until: datetime,
        every: bool,
        gone: Collection[str] = (),
    ) -> list[str] | None:
        """Lease `sources` to `holder` (see `StoreWriter.claim_sources`). None when the
        leases could not be looked at because another SQLite transaction is writing:
        the caller retries on its own terms (cancellable), not in SQLite's busy wait."""
        try:
            with self.write(busy_timeout=0.1) as writer:
                return writer.claim_sources(sources, holder, now, until, every, gone)
        except StoreError as exc:
            if self.dialect == "sqlite" and "database is locked" in str(exc):
                return None
            raise

    def release_sources(self, sources: list[str], holder: str) -> None:
        with self.write() as writer:
            writer.release_sources(sources, holder)

    def leases(self) -> dict[str, tuple[str, datetime, datetime]]:
        """source -> (holder, acquired at, expires at): who scans what, or scanned it last."""
        with self._read() as conn:
            rows = conn.execute(select(SOURCE_LEASES))
            return {r.source: (r.holder, r.acquired_at, r.expires_at) for r in rows}

    def items_by_key_prefix(self, prefix: str, limit: int = 2) -> list[StoredItem]:
        """The items whose key starts with `prefix` (a whole key finds one), up to `limit`,
        in key order: a short prefix is enough to name an item, as with git's hashes."""
        items = ITEMS
        # Keys are lowercase hex: every key starting with `prefix` sorts from it up to
        # `prefix` + "g", a range the key's unique index answers on both dialects.
        query = (
            select(items)
            .where(items.c.key >= prefix, items.c.key < prefix + "g")
            .order_by(items.c.key)
            .limit(limit)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
            topics = self._topics_of(conn, [r.id for r in rows])
            stories = story_reports(conn, rows)
        return [stored_item(r, topics.get(r.id), stories.get(r.id)) for r in rows]

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
    def _topics_of(conn: Connection, ids: list[int]) -> dict[int, dict[str, str]]:
        """Each item's topic slugs, sorted, with why it is in each; asked 500 ids at a
        time, so the IN list stays bounded however many items (a busy archive month)
        are asked about."""
        tagged = ITEM_TOPICS
        found: dict[int, dict[str, str]] = {}
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                select(tagged.c.item_id, tagged.c.topic, tagged.c.why)
                .where(tagged.c.item_id.in_(ids[start : start + 500]))
                .order_by(tagged.c.topic)
            )
            for item_id, topic, why in rows:
                found.setdefault(item_id, {})[topic] = why or ""
        return found


def _newest_first(rows: list[Any]) -> list[Any]:
    """Item rows newest first, then by key: the order of every feed."""
    rows.sort(key=lambda r: r.key)
    rows.sort(key=lambda r: r.published, reverse=True)  # stable: newest, then by key
    return rows


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
        # In WAL mode, NORMAL syncs at checkpoints rather than at every commit: a power
        # cut may lose the last commits but never corrupts the database.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write transaction takes the write lock up front: in WAL mode a read that
        # later upgrades to a write fails at once if another writer committed meanwhile.
        options = conn.get_execution_options()
        busy_ms = options.get("feeder_busy_ms", _BUSY_TIMEOUT_S * 1000)
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(busy_ms)}")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("feeder_write") else "BEGIN")
