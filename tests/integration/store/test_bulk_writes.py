"""Bulk item writes: new rows come back with their ids, keys stored already do not,
and SQLite's datetime text is the one its `DATETIME` type writes."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.dialects import sqlite

from feeder.model import Block, DateSource, ItemKind, ParsedItem
from feeder.store import Store
from feeder.store.intents import NewItem


def _parsed(key: str) -> ParsedItem:
    return ParsedItem(
        key, f"Title {key}", (Block("p", "Body"),), ItemKind.ARTICLE, None, DateSource.FIRST_SEEN
    )


def test_adding_items_returns_the_row_ids_of_the_new_keys_only(each_database: str) -> None:
    now = datetime(2024, 1, 2, tzinfo=UTC)
    store = Store(each_database)
    try:
        with store.write() as w:
            first = w.add_items([NewItem(_parsed("k2"), now, now, now)])
        with store.write() as w:
            added = w.add_items(
                [NewItem(_parsed(key), now, now, now, {"a": "why"} if key == "k3" else None)
                 for key in ("k3", "k2", "k1")]
            )  # fmt: skip
            stored = w.find_items(["k1", "k2", "k3"])
        assert set(added) == {"k1", "k3"}  # k2 was stored before
        assert {key: found.item_id for key, found in stored.items()} == added | first
        assert len(set(added.values()) | set(first.values())) == 3
    finally:
        store.close()


def test_sqlite_stores_datetimes_as_text_its_datetime_type_writes(tmp_path: Path) -> None:
    path = tmp_path / "feeder.db"
    store = Store(f"sqlite:///{path}")
    moments = [
        datetime(2024, 1, 2, tzinfo=UTC),  # no microseconds: still written
        datetime(2024, 1, 2, 5, 6, 7, 890, tzinfo=timezone(timedelta(hours=5))),
        datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    try:
        with store.write() as w:
            w.add_items(
                [NewItem(_parsed(f"k{n}"), moment, moment, moment)
                 for n, moment in enumerate(moments)]
            )  # fmt: skip
        read = sorted(store.items_by_keys(["k0", "k1", "k2"]), key=lambda item: item.key)
        assert [item.published for item in read] == moments
    finally:
        store.close()
    with sqlite3.connect(path) as conn:
        stored = conn.execute("SELECT published, first_seen FROM items ORDER BY key").fetchall()
    as_sqlalchemy = sqlite.DATETIME().bind_processor(sqlite.dialect())
    assert as_sqlalchemy is not None
    expected = [as_sqlalchemy(m.astimezone(UTC).replace(tzinfo=None)) for m in moments]
    assert expected == [
        "2024-01-02 00:00:00.000000",
        "2024-01-02 00:06:07.000890",
        "0999-12-31 23:59:59.999999",
    ]
    assert stored == [(text, text) for text in expected]
