"""Each entry's `updated` (issue: a valid feed still drew the W3C validator's
DuplicateUpdated warning, every entry of one day carrying midnight). In every
published document the entries' `updated` are pairwise distinct, each at or after its
`published` and less than a second after its stored time (its date, or its last
change); the feed's `updated` is its newest entry's; JSON Feed and RSS say the same;
and a refresh that changes nothing leaves every file byte-identical."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from conftest import ManualClock, configure

from feeder import Feeder, Settings
from feeder.model import DateSource, ItemKind, StoredItem
from feeder.publish.entry_times import entry_times, key_offset

ATOM = "{http://www.w3.org/2005/Atom}"
SECOND = timedelta(seconds=1)


@pytest.fixture
def database_url(each_database: str) -> str:
    return each_database


@pytest.fixture
def workdir(workdir: Path) -> Path:
    """Small feeds, so the seeds also fill archive documents."""
    configure(workdir, "feed_size = 4\n")
    return workdir


def _atom_entries(path: Path) -> tuple[datetime, dict[str, tuple[datetime, datetime]]]:
    """A feed's `updated`, and each entry's (published, updated) by item key (an
    archive entry never edited says its time once, as `updated`)."""
    root = ET.parse(path).getroot()
    found = {}
    for entry in root.iter(f"{ATOM}entry"):
        key = entry.findtext(f"{ATOM}id", "").rsplit("/", 1)[1]
        updated = datetime.fromisoformat(entry.findtext(f"{ATOM}updated", ""))
        published = entry.findtext(f"{ATOM}published")
        found[key] = (datetime.fromisoformat(published) if published else updated, updated)
    return datetime.fromisoformat(root.findtext(f"{ATOM}updated", "")), found


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }


def test_every_document_gives_its_entries_distinct_updated_times_near_their_stored_ones(
    feeder: Feeder, settings: Settings
) -> None:
    feeder.refresh()
    stored = {item.key: item.updated for item in feeder.store.iter_items()}
    documents = sorted(settings.feeds_dir.rglob("*.atom"))
    assert any("archive" in path.parts for path in documents)
    for path in documents:
        feed_updated, found = _atom_entries(path)
        times = [updated for _, updated in found.values()]
        assert len(set(times)) == len(times), f"{path.name}: two entries share an updated"
        for key, (published, updated) in found.items():
            assert published <= updated, (path.name, key)
            assert stored[key] <= updated < stored[key] + SECOND, (path.name, key)
        assert feed_updated == max(times)
    # JSON Feed and RSS say what Atom says.
    for path in settings.feeds_dir.glob("[!.]*.json"):
        feed_updated, found = _atom_entries(path.with_suffix(".atom"))
        items = json.loads(path.read_bytes())["items"]
        assert {
            item["id"].rsplit("/", 1)[1]: datetime.fromisoformat(item["date_modified"])
            for item in items
        } == {key: updated for key, (_, updated) in found.items()}
        rss = ET.parse(path.with_suffix(".rss")).getroot()
        built = parsedate_to_datetime(rss.findtext("channel/lastBuildDate", ""))
        assert built == feed_updated.replace(microsecond=0)


def test_a_refresh_that_changes_nothing_leaves_every_file_byte_identical(
    feeder: Feeder, settings: Settings, clock: ManualClock
) -> None:
    feeder.refresh()
    before = _files(settings.feeds_dir)
    clock.advance(minutes=5)
    feeder.refresh()
    assert _files(settings.feeds_dir) == before


def _item(key: str, updated: datetime) -> StoredItem:
    return StoredItem(key, key, (), ItemKind.LISTING, updated, updated, updated,
                      DateSource.EXPLICIT, None, ())  # fmt: skip


def test_entries_whose_key_offsets_meet_still_get_distinct_times_in_any_order() -> None:
    midnight = datetime(2024, 12, 11, tzinfo=UTC)
    seen: dict[timedelta, str] = {}
    key = "k0"
    for number in range(100_000):  # two keys with one offset: a birthday search
        key = f"k{number}"
        if key_offset(key) in seen:
            break
        seen[key_offset(key)] = key
    pair = [_item(seen[key_offset(key)], midnight), _item(key, midnight)]
    times = entry_times(pair)
    assert len(set(times)) == 2 and all(midnight <= at < midnight + SECOND for at in times)
    assert entry_times(pair[::-1]) == times[::-1]
    # Alone, an entry keeps its own offset: the meeting moves only the larger key.
    assert min(times) == midnight + key_offset(key)
