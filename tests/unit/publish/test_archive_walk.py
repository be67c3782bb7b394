"""The archive walk: every item read once, oldest first, in batches, each page handed
on as soon as its newest item is read, its items newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from feeder.model import DateSource, FeedContent, ItemKind, ItemStamp, StoredItem
from feeder.publish.archive_walk import PageToRender, pages_in_walk_order

AT = datetime(2026, 11, 1, tzinfo=UTC)


def at(minute: int) -> datetime:
    return AT + timedelta(minutes=minute)


class Loader:
    """Stored items by key, recording each load."""

    def __init__(self, minutes: dict[str, int]) -> None:
        self.items = {key: item(key, minute) for key, minute in minutes.items()}
        self.loads: list[list[str]] = []

    def __call__(self, keys: list[str]) -> list[StoredItem]:
        self.loads.append(list(keys))
        return [self.items[key] for key in reversed(keys) if key in self.items]


def item(key: str, minute: int) -> StoredItem:
    when = at(minute)
    return StoredItem(
        key, key, (), ItemKind.LISTING, when, when, when, DateSource.EXPLICIT, None, ()
    )


def page(slug: str, number: int, stamps: dict[str, int]) -> PageToRender:
    feed = FeedContent(slug, slug, [], 0)
    found = tuple(ItemStamp(key, at(m), at(m)) for key, m in stamps.items())
    return PageToRender(feed, number, found, Path(f"{slug}-{number}"), "digest")


def walk(pages: list[PageToRender], load: Loader, batch: int) -> list[tuple[str, list[str]]]:
    return [
        (str(done.path), [i.key for i in items])
        for done, items in pages_in_walk_order(pages, load, batch)
    ]


def test_each_item_is_read_once_oldest_first_for_every_page_holding_it() -> None:
    minutes = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    load = Loader(minutes)
    pages = [
        page("all", 1, {"a": 1, "b": 2}),
        page("all", 2, {"c": 3, "d": 4}),
        page("nato", 1, {"b": 2, "d": 4}),
        page("all", 3, {"e": 5}),
    ]
    done = walk(pages, load, batch=2)
    assert load.loads == [["a", "b"], ["c", "d"], ["e"]]
    assert done == [
        ("all-1", ["b", "a"]),
        ("all-2", ["d", "c"]),
        ("nato-1", ["d", "b"]),
        ("all-3", ["e"]),
    ]


def test_a_page_is_handed_on_before_later_items_are_read() -> None:
    load = Loader({"a": 1, "b": 2, "c": 3})
    walked = pages_in_walk_order(
        [page("all", 1, {"a": 1}), page("all", 2, {"b": 2, "c": 3})], load, 1
    )
    first, items = next(walked)
    assert first.number == 1 and [i.key for i in items] == ["a"]
    assert load.loads == [["a"]]  # only the open pages' items are held
    assert [p.number for p, _ in walked] == [2]


def test_items_of_one_time_are_listed_by_key_and_missing_ones_left_out() -> None:
    load = Loader({"b": 1, "a": 1, "c": 1})
    done = walk([page("all", 1, {"c": 1, "gone": 1, "a": 1, "b": 1}), page("t", 1, {})], load, 10)
    assert done == [("t-1", []), ("all-1", ["a", "b", "c"])]
