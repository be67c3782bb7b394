import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from feeder.model import Block, DateSource, FileState, ItemKind, ParsedItem
from feeder.store import Store, StoreError


@pytest.fixture
def store(tmp_path: Path):
    instance = Store(f"sqlite:///{tmp_path / 'test.db'}")
    yield instance
    instance.close()


def parsed(key: str = "k1") -> ParsedItem:
    return ParsedItem(
        key, "Title", (Block("p", "Body"),), ItemKind.ARTICLE, None, DateSource.FIRST_SEEN
    )


def test_datetimes_come_back_timezone_aware_utc(store: Store) -> None:
    plus_five = datetime(2024, 1, 2, 5, tzinfo=timezone(timedelta(hours=5)))
    with store.write() as w:
        w.add_item(parsed(), plus_five, plus_five)
    (item,) = store.latest_items()
    assert item.published == datetime(2024, 1, 2, tzinfo=UTC) and item.published.tzinfo is UTC


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="naive datetime"), store.write() as w:
        w.add_item(parsed(), datetime(2024, 1, 2), datetime(2024, 1, 2))


def test_write_transaction_rolls_back_on_error(store: Store) -> None:
    now = datetime(2024, 1, 2, tzinfo=UTC)
    with pytest.raises(RuntimeError), store.write() as w:
        w.add_item(parsed(), now, now)
        w.save_file_state("s", FileState("a.txt", 1, 1, "h"), now)
        raise RuntimeError("crash mid-refresh")
    assert store.item_count() == 0 and store.file_states("s") == {}


def test_topics_are_replaced_and_latest_items_filter_by_topic(store: Store) -> None:
    now = datetime(2024, 1, 2, tzinfo=UTC)
    with store.write() as w:
        one = w.add_item(parsed("k1"), now, now)
        two = w.add_item(parsed("k2"), now + timedelta(days=1), now)
        w.set_topics(one, "k1", now, ["a", "b"])
        w.set_topics(two, "k2", now + timedelta(days=1), ["a"])
        w.set_topics(one, "k1", now, ["b"])
    assert [i.key for i in store.latest_items("a")] == ["k2"]
    assert [i.key for i in store.latest_items(None)] == ["k2", "k1"]
    assert store.topic_counts() == {"a": 1, "b": 1}


def test_unreachable_database_raises_store_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no-such-dir"):
        Store(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")


def test_database_passwords_are_masked_in_errors() -> None:
    with pytest.raises(StoreError) as caught:
        Store("postgresql+nosuchdriver://user:s3cret@localhost/db")
    assert "s3cret" not in str(caught.value)


def test_malformed_database_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(StoreError, match="not a valid") as caught:
        Store("not a url :s3cret@")
    assert "s3cret" not in str(caught.value)


def test_a_write_transaction_takes_the_write_lock_up_front(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'lock.db'}")
    try:
        with store.write() as w:
            w.get_meta("anything")  # only a read so far: a deferred BEGIN would not lock yet
            other = sqlite3.connect(tmp_path / "lock.db", timeout=0)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
    finally:
        store.close()
