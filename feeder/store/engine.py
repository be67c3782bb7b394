"""Opening the database: engine options, SQLite's pragmas and transaction mode, and
database errors turned into `StoreError` (dialect differences stay here)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from feeder.errors import StoreError

BUSY_TIMEOUT_S = 30


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Raise any database error inside as a `StoreError` naming the database `url`."""
    try:
        yield
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise StoreError(f"database {url}: {reason}") from exc


def open_engine(url: str) -> Engine:
    """An engine for `url`; on SQLite, in WAL mode, with foreign keys and write
    transactions that take the write lock up front."""
    engine = create_engine(url, **_engine_options(url))
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _engine_options(url: str) -> dict[str, Any]:
    if make_url(url).get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": BUSY_TIMEOUT_S}}
    return {"pool_pre_ping": True}


def _configure_sqlite(engine: Engine) -> None:
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
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write transaction takes the write lock up front: in WAL mode a read that
        # later upgrades to a write fails at once if another writer committed meanwhile.
        options = conn.get_execution_options()
        busy_ms = options.get("feeder_busy_ms", BUSY_TIMEOUT_S * 1000)
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(busy_ms)}")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("feeder_write") else "BEGIN")
