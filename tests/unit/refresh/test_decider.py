from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from feeder.model import Block, DateSource, FileState, ItemKind, ParsedItem, SourceFile
from feeder.refresh.decider import (
    Change,
    calendar_day_start,
    classify_item,
    plan_scan,
    publication_time,
    take_new_items,
)


def file(path: str, size: int = 10, mtime_ns: int = 1) -> SourceFile:
    return SourceFile("seeds", path, f"/x/{path}", size, mtime_ns)


def item(text: str = "body", day: date | None = None) -> ParsedItem:
    source = DateSource.EXPLICIT if day else DateSource.FIRST_SEEN
    return ParsedItem("k", "Title", (Block("p", text),), ItemKind.LISTING, day, source)


def test_files_with_the_same_size_and_mtime_are_not_read() -> None:
    states = {
        "a.txt": FileState("a.txt", 10, 1, "h"),
        "b.txt": FileState("b.txt", 10, 1, "h"),
        "gone.txt": FileState("gone.txt", 1, 1, "h"),
    }
    plan = plan_scan([file("a.txt"), file("b.txt", mtime_ns=2), file("new.txt")], states)
    assert [f.path for f in plan.unchanged] == ["a.txt"]
    assert [f.path for f in plan.to_read] == ["b.txt", "new.txt"]
    assert plan.vanished == ["gone.txt"]


def test_an_item_is_new_changed_or_unchanged_by_its_content_hash() -> None:
    assert classify_item(None, item()) is Change.NEW
    assert classify_item(item().content_hash, item()) is Change.UNCHANGED
    assert classify_item(item().content_hash, item("edited body")) is Change.CHANGED


def test_a_calendar_day_starts_at_midnight_in_the_configured_zone() -> None:
    assert calendar_day_start(date(2024, 10, 2), UTC) == datetime(2024, 10, 2, tzinfo=UTC)
    almaty = calendar_day_start(date(2024, 10, 2), ZoneInfo("Asia/Almaty"))
    assert almaty == datetime(2024, 10, 1, 19, tzinfo=UTC)


def test_undated_items_are_published_when_first_seen() -> None:
    seen = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert publication_time(item(), seen, UTC) == seen
    assert publication_time(item(day=date(2024, 1, 2)), seen, UTC) == datetime(
        2024, 1, 2, tzinfo=UTC
    )


def keyed(key: str, day: date | None = None) -> ParsedItem:
    return ParsedItem(key, key, (), ItemKind.ENTRY, day, DateSource.EXPLICIT)


def test_a_fetch_takes_at_most_the_cap_of_new_items_the_oldest_first() -> None:
    # Newest first, as feeds list them: undated ones are taken from the end.
    items = [keyed("u1"), keyed("u2"), keyed("d2", date(2024, 2, 1)), keyed("d1", date(2024, 1, 1))]
    taken, left = take_new_items(items, set(), cap=3)
    assert [i.key for i in taken] == ["u2", "d2", "d1"] and left == 1  # document order kept
    assert take_new_items(items, set(), cap=4) == (items, 0)


def test_known_items_are_always_taken_and_do_not_count_against_the_cap() -> None:
    items = [keyed("new1"), keyed("old"), keyed("new2"), keyed("new2")]
    taken, left = take_new_items(items, {"old"}, cap=1)
    assert [i.key for i in taken] == ["old", "new2", "new2"] and left == 1
