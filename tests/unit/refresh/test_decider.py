from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from feeder.model import Block, DateSource, FileState, ItemKind, ParsedItem, SourceFile
from feeder.refresh.decider import (
    Capture,
    Change,
    ItemDecider,
    calendar_day_start,
    classify_item,
    plan_scan,
    publication_time,
    redated,
    take_new_items,
)
from feeder.store.intents import ItemEdit, NewItem
from feeder.store.rows import StoredVersion


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


# The ingest's decisions on plain data: what one refresh writes for a key it read,
# given what is stored.

NOW = datetime(2026, 1, 10, 12, tzinfo=UTC)
EARLIER = datetime(2026, 1, 5, 8, tzinfo=UTC)


def tags(key: str, title: str, blocks: tuple[Block, ...]) -> dict[str, str]:
    return {"nato": f"title of {key}"} if "NATO" in title else {}


DECIDER = ItemDecider(NOW, UTC, tags)


def version(
    text: str = "body", day: date | None = date(2026, 1, 2), title: str = "NATO"
) -> ParsedItem:
    source = DateSource.EXPLICIT if day else DateSource.FIRST_SEEN
    return ParsedItem("k", title, (Block("p", text),), ItemKind.LISTING, day, source)


def read(*items: ParsedItem) -> list[Capture]:
    """Each version read from its own file, in order: a.txt, b.txt, ..."""
    return [
        Capture(parsed, "seeds", f"{name}.txt", f"/seeds/{name}.txt")
        for parsed, name in zip(items, "abcdef", strict=False)
    ]


def stored(parsed: ParsedItem, first_seen: datetime = EARLIER) -> StoredVersion:
    """`parsed` as stored in row 7, first seen `first_seen`."""
    return StoredVersion(7, parsed.content_hash, first_seen)


def test_a_new_item_is_inserted_tagged_and_first_seen_now() -> None:
    decision = DECIDER.decide(read(version()), None)
    assert decision.change is Change.NEW and decision.retag and decision.edit is None
    published = datetime(2026, 1, 2, tzinfo=UTC)
    assert decision.insert == NewItem(version(), published, published, NOW, {"nato": "title of k"})
    assert decision.places == (("seeds", "a.txt"),) and decision.warnings == ()


def test_an_unchanged_item_is_only_seen_again() -> None:
    decision = DECIDER.decide(read(version()), stored(version()))
    assert decision.change is Change.UNCHANGED and not decision.retag
    assert (decision.insert, decision.edit, decision.item_id) == (None, None, 7)
    assert decision.places == (("seeds", "a.txt"),)


def test_a_changed_item_is_rewritten_retagged_and_updated_now() -> None:
    decision = DECIDER.decide(read(version("edited")), stored(version()))
    published = datetime(2026, 1, 2, tzinfo=UTC)
    assert decision.change is Change.CHANGED and decision.insert is None
    assert decision.edit == ItemEdit(7, version("edited"), published, NOW, {"nato": "title of k"})


def test_a_removed_key_is_kept_out_whatever_its_text() -> None:
    for found in (None, stored(version()), stored(version("older"))):
        decision = DECIDER.decide(read(version("edited")), found, removed=True)
        assert decision.change is Change.REMOVED
        assert (decision.insert, decision.edit, decision.places) == (None, None, ())


def test_of_two_captures_that_disagree_the_one_read_last_wins_with_a_warning() -> None:
    decision = DECIDER.decide(read(version("first"), version("second")), None)
    assert decision.change is Change.NEW and decision.item == version("second")
    assert decision.insert is not None and decision.insert.item == version("second")
    (warning,) = decision.warnings
    assert warning == (
        "/seeds/b.txt: 'NATO' has different text in /seeds/a.txt; the version read last is kept"
    )
    # Both places are sightings, and the item counts as edited: its entry is updated now.
    assert decision.places == (("seeds", "a.txt"), ("seeds", "b.txt"))
    assert decision.insert.updated == NOW


def test_captures_that_agree_raise_no_warning() -> None:
    decision = DECIDER.decide(read(version(), version()), None)
    assert decision.warnings == () and decision.insert is not None
    assert decision.insert.updated == decision.insert.published


def test_a_capture_unlike_the_version_an_earlier_transaction_stored_names_its_place() -> None:
    found = stored(version("first"))
    captures = read(version("second"))
    assert DECIDER.needs_earlier_place(captures, found, removed=False)
    assert not DECIDER.needs_earlier_place(read(version("first")), found, removed=False)
    assert not DECIDER.needs_earlier_place(captures, None, removed=False)
    assert not DECIDER.needs_earlier_place(captures, found, removed=True)
    decision = DECIDER.decide(captures, found, earlier="/seeds/z.txt")
    assert decision.warnings == (
        "/seeds/a.txt: 'NATO' has different text in /seeds/z.txt; the version read last is kept",
    )
    assert DECIDER.decide(captures, found).warnings == ()  # stored by an earlier refresh


def test_a_changed_item_read_back_to_its_stored_text_still_counts_as_edited() -> None:
    decision = DECIDER.decide(read(version("other"), version()), stored(version()))
    assert decision.change is Change.CHANGED and decision.edit is not None


def test_a_date_far_in_the_future_is_published_as_first_seen_with_a_warning() -> None:
    decision = DECIDER.decide(read(version(day=date(2999, 1, 1))), None)
    assert decision.published == NOW
    (warning,) = decision.warnings
    assert warning == (
        "/seeds/a.txt: 'NATO' is dated 01.01.2999, in the future; it is published as first seen"
    )
    # Within the grace of two days, an announcement keeps its date.
    soon = DECIDER.decide(read(version(day=date(2026, 1, 11))), None)
    assert soon.published == datetime(2026, 1, 11, tzinfo=UTC) and soon.warnings == ()


def test_the_future_warning_is_given_once_not_on_every_unchanged_rescan() -> None:
    future = version(day=date(2999, 1, 1))
    decision = DECIDER.decide(read(future), stored(future))
    assert decision.warnings == () and decision.published == EARLIER


def test_an_undated_item_is_published_when_first_seen_and_keeps_that_time() -> None:
    assert DECIDER.decide(read(version(day=None)), None).published == NOW
    edited = DECIDER.decide(read(version("edited", day=None)), stored(version(day=None)))
    assert edited.published == EARLIER
    assert edited.edit is not None and edited.edit.updated == NOW


def test_an_item_another_worker_stored_first_takes_its_row() -> None:
    decision = DECIDER.decide(read(version()), None)
    same, edit = DECIDER.stored_meanwhile(decision, stored(version()))
    assert (same.item_id, same.insert, same.retag, edit) == (7, None, False, None)
    other, edit = DECIDER.stored_meanwhile(decision, stored(version("theirs")))
    assert other.item_id == 7 and other.retag  # its topics are judged on this text
    published = datetime(2026, 1, 2, tzinfo=UTC)
    # The row is rewritten with this text and the topics judged on it, not the other's.
    assert edit == ItemEdit(7, version(), published, NOW, decision.tags)
    assert edit.tags is not None


def test_re_dating_moves_a_day_to_the_new_zone_and_keeps_an_edit_time() -> None:
    almaty = ZoneInfo("Asia/Almaty")
    day = date(2026, 1, 2)
    midnight = datetime(2026, 1, 1, 19, tzinfo=UTC)
    was = datetime(2026, 1, 2, tzinfo=UTC)
    assert redated(day, was, was, EARLIER, almaty) == (midnight, midnight)
    edit = EARLIER + timedelta(days=1)
    assert redated(day, was, edit, EARLIER, almaty) == (midnight, edit)
    far = date(2999, 1, 1)  # too far ahead of when it was first seen: that time
    assert redated(far, EARLIER, EARLIER, EARLIER, almaty) == (EARLIER, EARLIER)
