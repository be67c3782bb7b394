import os
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy

from feeder.errors import LockBusyError
from feeder.model import Block, DateSource, FileState, ItemKind, ParsedItem
from feeder.store import SearchQueryError, Store, StoreError
from feeder.store.search import search_statement


@pytest.fixture
def store(each_database: str):
    instance = Store(each_database)
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
        w.save_file_states("s", [FileState("a.txt", 1, 1, "h")], now)
        raise RuntimeError("crash mid-refresh")
    assert store.item_count() == 0 and store.file_states("s") == {}


def test_topics_are_replaced_and_latest_items_filter_by_topic(store: Store) -> None:
    now = datetime(2024, 1, 2, tzinfo=UTC)
    with store.write() as w:
        one = w.add_item(parsed("k1"), now, now)
        two = w.add_item(parsed("k2"), now + timedelta(days=1), now)
        w.set_topics(one, "k1", now, {"a": "title “a”", "b": "lead “b”"})
        w.set_topics(two, "k2", now + timedelta(days=1), {"a": "body “a”"})
        w.set_topics(one, "k1", now, {"b": "listed in include_items"})
    assert [i.key for i in store.latest_items("a")] == ["k2"]
    assert [i.key for i in store.latest_items(None)] == ["k2", "k1"]
    assert store.topic_counts() == {"a": 1, "b": 1}
    # Each tag keeps why the item is in the topic, for item pages and `feeder explain`.
    assert [dict(i.why) for i in store.latest_items(None)] == [
        {"a": "body “a”"},
        {"b": "listed in include_items"},
    ]


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


def test_search_finds_items_by_title_and_body_and_follows_edits(store: Store) -> None:
    now = datetime(2024, 1, 2, tzinfo=UTC)
    body = ParsedItem(
        "k1",
        "Summit in Minsk",
        (Block("p", "Peacekeepers trained"),),
        ItemKind.ARTICLE,
        None,
        DateSource.FIRST_SEEN,
    )
    with store.write() as w:
        item_id = w.add_item(body, now, now)
    assert [i.key for i in store.search("minsk", 10)] == ["k1"]
    assert [i.key for i in store.search("peacekeep*", 10)] == ["k1"]
    edited = ParsedItem(
        "k1",
        "Summit in Astana",
        (Block("p", "Nothing else"),),
        ItemKind.ARTICLE,
        None,
        DateSource.FIRST_SEEN,
    )
    with store.write() as w:
        w.update_item(item_id, edited, now, now)
    assert store.search("minsk", 10) == [] and len(store.search("astana", 10)) == 1


@pytest.mark.parametrize("query", ['"unterminated', "AND", "nosuchcolumn:word", "a OR", "(("])
def test_malformed_search_query_raises_a_readable_error(store: Store, query: str) -> None:
    with pytest.raises(SearchQueryError, match="cannot search for"):
        store.search(query, 10)


def test_scan_status_counts_consecutive_failures_and_resets_on_success(store: Store) -> None:
    t = [datetime(2024, 1, d, tzinfo=UTC) for d in (1, 2, 3)]
    with store.write() as w:
        w.record_scan("s", t[0], "folder missing")
    with store.write() as w:
        w.record_scan("s", t[1], "folder still missing")
    status = store.source_statuses()["s"]
    assert (status.failures, status.last_error, status.last_success) == (
        2,
        "folder still missing",
        None,
    )
    with store.write() as w:
        w.record_scan("s", t[2], None)
    status = store.source_statuses()["s"]
    assert (status.failures, status.last_error, status.last_success, status.last_scan) == (
        0,
        None,
        t[2],
        t[2],
    )


def test_writer_lock_is_exclusive_across_connections_and_names_the_holder(tmp_path: Path) -> None:
    first, second = (Store(f"sqlite:///{tmp_path / 'x.db'}") for _ in range(2))
    try:
        busy = pytest.raises(LockBusyError, match=rf"pid {os.getpid()}")
        with first.writer_lock(0), busy, second.writer_lock(0.2):
            pass
        with second.writer_lock(0):  # released once the first is done
            pass
    finally:
        first.close()
        second.close()


def test_service_claim_is_exclusive_and_reports_the_running_pid(tmp_path: Path) -> None:
    first, second = (Store(f"sqlite:///{tmp_path / 'x.db'}") for _ in range(2))
    try:
        assert second.service_pid() is None
        with first.service_claim():
            assert second.service_pid() == os.getpid()
            with pytest.raises(LockBusyError, match="already serving"), second.service_claim():
                pass
        assert second.service_pid() is None
    finally:
        first.close()
        second.close()


def test_hyphenated_words_search_as_phrases(store: Store) -> None:
    now = datetime(2024, 1, 2, tzinfo=UTC)
    item = ParsedItem(
        "k1",
        "Tajik-Afghan border",
        (Block("p", "COVID-19 tests and command-staff drills"),),
        ItemKind.ARTICLE,
        None,
        DateSource.FIRST_SEEN,
    )
    with store.write() as w:
        w.add_item(item, now, now)
    for query in (
        "Tajik-Afghan",
        "covid-19",
        "command-staff",
        "command-st*",
        '"Tajik-Afghan" border',
    ):
        assert [i.key for i in store.search(query, 10)] == ["k1"], query
    assert store.search("afghan-tajik", 10) == []


def test_search_indexes_the_text_not_its_storage_format(store: Store) -> None:
    now = datetime(2024, 1, 2, tzinfo=UTC)
    with store.write() as w:
        w.add_item(parsed("k1"), now, now)  # body: one paragraph, stored as JSON
    assert store.search("body", 10) and store.search("p", 10) == []


@pytest.mark.parametrize("query", ["NEAR(a, b)", '"a\x01b"', "x\ufffe"])
def test_other_unusable_queries_are_query_errors_too(store: Store, query: str) -> None:
    with pytest.raises(SearchQueryError):
        store.search(query, 10)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.close()


def test_two_writers_storing_one_item_at_once_store_it_once(each_database: str) -> None:
    now = datetime(2024, 1, 2, tzinfo=UTC)
    first, second = Store(each_database), Store(each_database)
    results: list[int | None] = []
    try:
        with first.write() as w:
            assert w.add_item(parsed("k1"), now, now) is not None
            racer = threading.Thread(target=lambda: results.append(_add(second, now)))
            racer.start()
            racer.join(0.5)  # it waits on the first writer's uncommitted row (or lock)
            assert racer.is_alive()
        racer.join(10)
        assert results == [None]  # the second found it stored and inserted nothing
        assert first.item_count() == 1
    finally:
        first.close()
        second.close()


def _add(store: Store, now: datetime) -> int | None:
    with store.write() as w:
        return w.add_item(parsed("k1"), now, now)


def test_leases_go_to_one_worker_until_released_or_expired(store: Store) -> None:
    t0 = datetime(2024, 1, 2, tzinfo=UTC)
    later = t0 + timedelta(minutes=10)
    assert store.claim_sources(["a", "b"], "w1", t0, later, every=False) == ["a", "b"]
    assert store.claim_sources(["a", "c"], "w2", t0, later, every=False) == ["c"]
    assert store.claim_sources(["a", "c"], "w3", t0, later, every=True) == []  # all or none
    store.release_sources(["a"], "w1")
    assert store.claim_sources(["a"], "w2", t0, later, every=True) == ["a"]
    assert store.claim_sources(["b"], "w2", later, later, every=True) == ["b"]  # w1's expired
    assert {s: lease.holder for s, lease in store.leases().items()} == {
        "a": "w2",
        "b": "w2",
        "c": "w2",
    }


def test_a_lease_reads_as_its_holder_and_times(store: Store) -> None:
    t0 = datetime(2024, 1, 2, tzinfo=UTC)
    later = t0 + timedelta(minutes=10)
    store.claim_sources(["a"], "w1", t0, later, every=True)
    lease = store.leases()["a"]
    assert (lease.holder, lease.since, lease.until) == ("w1", t0, later)


def test_a_feeds_version_and_a_listing_read_by_name(store: Store) -> None:
    assert store.feed_version("all").version == 0 and store.feed_version("all").changed_at is None
    listing = store.recorded_listing("s", "listing:s")
    assert (listing.value, listing.files) == (None, 0)


def test_the_statements_run_inside_are_recorded_and_only_those(store: Store) -> None:
    with store.statements() as seen:
        store.item_count()
    store.topic_counts()
    assert len(seen) >= 1 and all("item_topics" not in statement for statement in seen)
    assert any("FROM items" in statement for statement in seen)


def test_a_lease_row_being_claimed_elsewhere_is_skipped_not_waited_for(
    postgres_schema_url: str,
) -> None:
    setup = Store(postgres_schema_url, check_schema=False)
    setup.upgrade_schema()
    setup.close()
    store = Store(postgres_schema_url)
    t0 = datetime(2024, 1, 2, tzinfo=UTC)
    later = t0 + timedelta(minutes=10)
    store.claim_sources(["a", "b"], "w1", t0, t0, every=False)  # rows exist, both free
    other = sqlalchemy.create_engine(postgres_schema_url)
    try:
        with other.begin() as conn:  # another worker in the middle of its claim
            conn.exec_driver_sql("SELECT * FROM source_leases WHERE source = 'a' FOR UPDATE")
            assert store.claim_sources(["a", "b"], "w2", t0, later, every=False) == ["b"]
    finally:
        other.dispose()
        store.close()


@pytest.mark.parametrize(
    "query",
    [" ".join(["minsk"] * 32), " OR ".join(["minsk"] * 32), "(" * 8 + "minsk" + ")" * 8],
)
def test_the_largest_allowed_queries_run_on_the_database(store: Store, query: str) -> None:
    now = datetime(2024, 1, 2, tzinfo=UTC)
    item = ParsedItem("k1", "Summit in Minsk", (), ItemKind.ARTICLE, None, DateSource.FIRST_SEEN)
    with store.write() as w:
        w.add_item(item, now, now)
    assert [i.key for i in store.search(query, 10)] == ["k1"]


def test_a_sqlite_claim_during_another_write_returns_at_once_saying_so(tmp_path: Path) -> None:
    first, second = (Store(f"sqlite:///{tmp_path / 'x.db'}") for _ in range(2))
    t0 = datetime(2024, 1, 2, tzinfo=UTC)
    try:
        with first.write():  # a refresh in its write transaction
            started = time.monotonic()
            assert second.claim_sources(["a"], "w2", t0, t0, every=True) is None  # busy
            assert time.monotonic() - started < 5  # not SQLite's 30 s busy wait
        assert second.claim_sources(["a"], "w2", t0, t0, every=True) == ["a"]
    finally:
        first.close()
        second.close()


def test_a_feeds_change_time_moves_forward_at_least_a_second_per_change(store: Store) -> None:
    t0 = datetime(2024, 1, 2, tzinfo=UTC)
    with store.write() as w:
        w.bump_feeds(["all"], t0)
    with store.write() as w:  # a refresh that started earlier but commits later
        w.bump_feeds(["all"], t0 - timedelta(seconds=30))
    assert store.feed_version("all") == (2, t0 + timedelta(seconds=1))
    assert store.feed_versions() == {"all": 2}


@pytest.mark.parametrize("topic", [None, "news"])
def test_the_newest_items_come_off_an_index_without_sorting(tmp_path: Path, topic) -> None:  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        plan = store.query_plan(store.newest_query(50, topic))
        assert not any("TEMP B-TREE" in step for step in plan), plan
    finally:
        store.close()


def test_a_released_lease_is_free_whatever_the_next_workers_clock_says(store: Store) -> None:
    t0 = datetime(2024, 1, 2, tzinfo=UTC)
    ahead = t0 + timedelta(hours=1)  # a worker whose clock runs an hour fast
    assert store.claim_sources(["a"], "fast", ahead, ahead + timedelta(minutes=10), every=True)
    store.release_sources(["a"], "fast")
    assert store.claim_sources(["a"], "slow", t0, t0 + timedelta(minutes=10), every=True) == ["a"]


@pytest.mark.parametrize("query", ["council", '"drug trafficking"', "Bishk*", "a OR b NOT c"])
def test_a_search_walks_the_newest_first_index_instead_of_sorting_its_matches(
    tmp_path: Path, query: str
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        plan = store.query_plan(search_statement("sqlite", query, 20))
        assert "SCAN items USING INDEX ix_items_newest" in plan
        assert not any("TEMP B-TREE" in step for step in plan), plan
    finally:
        store.close()


def test_search_returns_the_newest_matches_first_however_many_match(store: Store) -> None:
    base = datetime(2024, 1, 1, tzinfo=UTC)
    with store.write() as w:
        for n in range(60):  # stored out of date order
            day = (n * 37) % 60
            item = ParsedItem(
                f"k{n}", f"Council meeting {n}", (Block("p", "The council met."),),
                ItemKind.ARTICLE, None, DateSource.FIRST_SEEN,
            )  # fmt: skip
            w.add_item(item, base + timedelta(days=day), base)
    found = store.search("council", 5)
    assert [i.published for i in found] == [base + timedelta(days=d) for d in (59, 58, 57, 56, 55)]
