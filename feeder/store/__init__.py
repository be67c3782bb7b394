"""Storage: the only package that talks to the database (SQLAlchemy 2.x).

Items, where each was seen, their topics and per-file scan state live here.
Database errors leave this package as `StoreError`; dialect differences stay here.
`Store` opens the database and its transactions; the reads run in `items` and
`state`, the writes in `writer`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Select, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from feeder.errors import (
    LockBusyError,
    LockWaitCancelled,
    SchemaBehindError,
    SearchQueryError,
    StoreError,
)
from feeder.model import FileState, ItemStamp, SourceStatus, StoredItem, WebState
from feeder.store import items, state
from feeder.store.engine import BUSY_TIMEOUT_S, database_errors, open_engine
from feeder.store.finding import ItemQuery
from feeder.store.locks import exclusive_lock, holder_of, worker_is_gone, worker_name
from feeder.store.migrate import SchemaState, ensure_current, schema_state, upgrade
from feeder.store.protocol import Storage
from feeder.store.records import FeedVersion, Lease, RecordedListing, Sighting
from feeder.store.removals import RemovedItem, removed_keys
from feeder.store.schema import SOURCE_STATUS
from feeder.store.writer import StoreWriter, feed_versions

__all__ = [
    "FeedVersion",
    "ItemQuery",
    "Lease",
    "LockBusyError",
    "LockWaitCancelled",
    "RecordedListing",
    "RemovedItem",
    "SchemaBehindError",
    "SchemaState",
    "SearchQueryError",
    "Storage",
    "Store",
    "StoreError",
    "StoreWriter",
    "worker_is_gone",
    "worker_name",
]


class Store:
    """Items and scan state in one SQL database (SQLite file by default); what it
    offers the rest of feeder is the `Storage` protocol."""

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
        with database_errors(self.url):
            self.engine = open_engine(url)
            self.dialect = self.engine.dialect.name
            if check_schema:
                try:
                    ensure_current(self.engine, self.url)
                except BaseException:
                    self.engine.dispose()
                    raise

    def schema_state(self) -> SchemaState:
        """Which schema revision the database is at, and which this feeder needs."""
        with database_errors(self.url):
            return schema_state(self.engine)

    def upgrade_schema(self) -> SchemaState:
        """Migrate the schema to this feeder's revision; returns where it stood before."""
        with database_errors(self.url):
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
    def write(self, busy_timeout: float = BUSY_TIMEOUT_S) -> Iterator[StoreWriter]:
        """One atomic write transaction: everything in it commits together or not at all.
        On SQLite it waits up to `busy_timeout` seconds for another writer to finish."""
        with database_errors(self.url), self.engine.connect() as conn:
            conn = conn.execution_options(feeder_write=True, feeder_busy_ms=busy_timeout * 1000)
            with conn.begin():
                yield StoreWriter(conn)

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with database_errors(self.url), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def statements(self) -> Iterator[list[str]]:
        """The SQL statements run on this database while inside, as they are run: what
        tests and benchmarks look at to see how a result was found."""
        seen: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            seen.append(statement)

        event.listen(self.engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(self.engine, "before_cursor_execute", record)

    def query_plan(self, statement: Select[Any]) -> list[str]:
        """How SQLite would run `statement`: the steps of its `EXPLAIN QUERY PLAN`."""
        if self.dialect != "sqlite":
            raise StoreError(f"database {self.url}: query plans are read on SQLite only")
        with self._read() as conn:
            compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
            return [r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]

    def meta(self, names: list[str]) -> dict[str, str]:
        """The values the refreshes recorded under `names` (those recorded at all)."""
        with self._read() as conn:
            return state.meta(conn, names)

    def recorded_listing(self, source: str, meta: str) -> RecordedListing:
        """The value recorded under `meta` and how many files of `source` have a scan
        state: what a rescan compares a folder's listing against."""
        with self._read() as conn:
            return state.recorded_listing(conn, source, meta)

    def file_states(self, source: str) -> dict[str, FileState]:
        with self._read() as conn:
            return state.file_states(conn, source)

    def latest_items(self, topic: str | None = None, limit: int = 50) -> list[StoredItem]:
        """The newest `limit` items, of one topic or of all, newest first, straight off
        an index (`ix_items_newest`, `ix_item_topics_newest`), never sorting the table."""
        with self._read() as conn:
            return items.latest_items(conn, topic, limit)

    def find_items(self, query: ItemQuery) -> list[StoredItem]:
        """The newest entries matching `query` (see `ItemQuery`), each with the source
        it was read from; `SearchQueryError` for a search that cannot be parsed."""
        with self._read() as conn:
            return items.matching_items(conn, self.dialect, query)

    def newest_stories(self, limit: int) -> list[StoredItem]:
        """The newest `limit` stories of more than one report, as their leads (each
        with its other reports), newest first."""
        with self._read() as conn:
            return items.newest_stories(conn, limit)

    def newest_query(self, limit: int, topic: str | None = None) -> Select[Any]:
        """The statement behind `latest_items` (for `EXPLAIN` in the benchmarks)."""
        return items.newest_query(limit, topic)

    def iter_items(self, batch: int = 500) -> Iterator[StoredItem]:
        """Every item, in key order, fetched in batches so memory stays flat."""
        last = ""
        while True:
            with self._read() as conn:
                found = items.items_after(conn, last, batch)
            if not found:
                return
            yield from found
            last = found[-1].key

    def item_stamps(self, topic: str | None = None) -> list[ItemStamp]:
        """Key and times of every item (of one topic, or all): what places each item
        in its feed's archive pages (see `publish.chain`)."""
        with self._read() as conn:
            return items.item_stamps(conn, topic)

    def items_by_keys(self, keys: list[str], batch: int = 500) -> Iterator[StoredItem]:
        """The stored items with these keys, fetched in batches (in no set order)."""
        for start in range(0, len(keys), batch):
            with self._read() as conn:
                found = items.items_with_keys(conn, keys[start : start + batch])
            yield from found

    def topic_counts(self) -> dict[str, int]:
        """Number of items per topic slug (topics without items are absent)."""
        with self._read() as conn:
            return items.topic_counts(conn)

    def topic_count(self, topic: str) -> int:
        with self._read() as conn:
            return items.topic_count(conn, topic)

    def item_count(self) -> int:
        with self._read() as conn:
            return items.item_count(conn)

    def story_count(self) -> int:
        """How many stories there are: the entries of the all-news feed."""
        with self._read() as conn:
            return items.item_count(conn, leads_only=True)

    def search(self, query: str, limit: int) -> list[StoredItem]:
        """Items matching a full-text query (see `search`), newest first.

        Raises `SearchQueryError` for a query that cannot be parsed.
        """
        with self._read() as conn:
            return items.search_items(conn, self.dialect, query, limit)

    def web_state(self, source: str) -> WebState:
        """What the last fetch of a web source saved (empty for a new source)."""
        with self._read() as conn:
            return state.web_state(conn, source)

    def known_keys(self, keys: list[str]) -> set[str]:
        """Which of `keys` are stored already, or were removed by the user."""
        with self._read() as conn:
            return items.stored_keys(conn, keys) | removed_keys(conn, keys)

    def removed_keys(self) -> set[str]:
        """The keys of every item the user removed (`feeder remove`)."""
        with self._read() as conn:
            return removed_keys(conn)

    def source_statuses(self) -> dict[str, SourceStatus]:
        with self._read() as conn:
            return state.source_statuses(conn)

    def set_next_run(self, source: str, at: datetime | None) -> None:
        """Record when the service will scan `source` next, for `feeder status`."""
        with self.write() as writer:
            stmt = writer.insert(SOURCE_STATUS).values(source=source, next_run=at, failures=0)
            writer.conn.execute(
                stmt.on_conflict_do_update(index_elements=["source"], set_={"next_run": at})
            )

    def feed_version(self, feed: str) -> FeedVersion:
        """The version of a feed's entries and when it moved; (0, None) before it had any."""
        with self._read() as conn:
            return state.feed_version(conn, feed)

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

    def leases(self) -> dict[str, Lease]:
        """source -> who scans it, or scanned it last, from when until when."""
        with self._read() as conn:
            return state.leases(conn)

    def items_by_key_prefix(self, prefix: str, limit: int = 2) -> list[StoredItem]:
        """The items whose key starts with `prefix` (a whole key finds one), up to `limit`,
        in key order: a short prefix is enough to name an item, as with git's hashes."""
        with self._read() as conn:
            return items.items_by_key_prefix(conn, prefix, limit)

    def sightings(self, key: str) -> list[Sighting]:
        """Every (source, path) where the item with `key` was seen."""
        with self._read() as conn:
            return state.sightings(conn, key)
