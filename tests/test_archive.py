"""RFC 5005 archives: walked from each current feed back to the first item by a real
consumer (feedparser plus the XML parser for the `fh:archive` marker), complete, and
rewritten only where an item changed."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from conftest import SEED_ENTRIES, ManualClock, configure
from test_update import EXPECTED_TOPIC_COUNTS

from feeder import Feeder, Settings, make_feeder
from feeder.model import ItemStamp, Site
from feeder.publish.archive import period_digests

HISTORY = "{http://purl.org/syndication/history/1.0}"
BASE = "http://127.0.0.1:8080/"
NEW_THIS_MONTH = "20.11.2026\n\nNATO observers visited Minsk in November.\n"


@pytest.fixture
def database_url(each_database: str) -> str:
    return each_database


def local(feeds: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    return feeds / url.removeprefix(BASE)


def link(parsed: feedparser.FeedParserDict, rel: str) -> str | None:
    return next((ln.href for ln in parsed.feed.get("links", []) if ln.rel == rel), None)


def walk_archives(feeds: Path, slug: str) -> list[tuple[Path, list[str]]]:
    """From `<slug>.atom` along prev-archive to the end: each document and its entry ids."""
    current = feedparser.parse(io.BytesIO((feeds / f"{slug}.atom").read_bytes()))
    url = link(current, "prev-archive")
    walked = []
    while url:
        path = local(feeds, url)
        data = path.read_bytes()
        parsed = feedparser.parse(io.BytesIO(data))
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        root = ET.fromstring(data)
        assert root.find(f"{HISTORY}archive") is not None, f"{path} lacks fh:archive"
        assert link(parsed, "current") == f"{BASE}{slug}.atom"
        assert link(parsed, "self") == url
        walked.append((path, [entry.id for entry in parsed.entries]))
        url = link(parsed, "prev-archive")
    return walked


def stats(feeds: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(feeds)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in (feeds / "archive").rglob("*.atom")
    }


@pytest.mark.parametrize("slug", ["all", *EXPECTED_TOPIC_COUNTS])
def test_walking_back_from_the_current_feed_reaches_every_item_once(
    published: Path, slug: str
) -> None:
    walked = walk_archives(published, slug)
    archived = [entry_id for _, entries in walked for entry_id in entries]
    assert len(archived) == len(set(archived))  # no item in two months
    current = feedparser.parse(io.BytesIO((published / f"{slug}.atom").read_bytes()))
    expected = SEED_ENTRIES if slug == "all" else EXPECTED_TOPIC_COUNTS[slug]
    assert len(set(archived) | {entry.id for entry in current.entries}) == expected
    periods = [path.stem for path, _ in walked]
    assert periods == sorted(periods, reverse=True) and len(periods) == len(set(periods))
    assert all(period < "2026-11" for period in periods)  # the current month is not archived


def test_each_archive_holds_exactly_its_months_items_and_links_forward(published: Path) -> None:
    walked = walk_archives(published, "all")
    for index, (path, _) in enumerate(walked):
        parsed = feedparser.parse(io.BytesIO(path.read_bytes()))
        months = {
            f"{e.published_parsed.tm_year:04}-{e.published_parsed.tm_mon:02}"
            for e in parsed.entries
        }
        assert months == {path.stem}
        newer = walked[index - 1][0] if index else None
        assert link(parsed, "next-archive") == (
            f"{BASE}archive/all/{newer.stem}.atom" if newer else None
        )


def test_archives_stay_as_they_are_while_this_months_items_arrive(
    feeder: Feeder, settings: Settings, published: Path
) -> None:
    before = stats(published)
    (settings.feeds_dir.parent / "seeds" / "005_new.txt").write_text(NEW_THIS_MONTH)
    summary = feeder.refresh()
    assert summary.items_new == 1 and summary.archives_written == 0
    assert stats(published) == before
    current = feedparser.parse(io.BytesIO((published / "nato.atom").read_bytes()))
    assert "NATO observers visited Minsk in November." in {e.title for e in current.entries}


def test_a_new_month_archives_the_last_one_and_moves_the_feeds_link(
    feeder: Feeder, settings: Settings, published: Path, clock: ManualClock
) -> None:
    (settings.feeds_dir.parent / "seeds" / "005_new.txt").write_text(NEW_THIS_MONTH)
    feeder.refresh()
    before = stats(published)
    clock.advance(days=8)  # 2 December 2026
    summary = feeder.refresh()
    after = stats(published)
    changed = {name for name in after if before.get(name) != after[name]}
    november = {name for name in changed if name.endswith("/2026-11.atom")}
    # November's documents appear, and each feed's previous newest month, where it has
    # one, links to them: the only other documents rewritten, one per feed.
    assert {"archive/all/2026-11.atom", "archive/nato/2026-11.atom"} <= november
    previous = [name.split("/")[1] for name in changed - november]
    assert len(previous) == len(set(previous))
    assert set(previous) <= {name.split("/")[1] for name in november}
    assert summary.archives_written == len(changed)
    assert "archive/all/2024-12.atom" in changed
    current = feedparser.parse(io.BytesIO((published / "all.atom").read_bytes()))
    assert link(current, "prev-archive") == f"{BASE}archive/all/2026-11.atom"
    walked = walk_archives(published, "all")
    assert sum(len(entries) for _, entries in walked) == SEED_ENTRIES + 1  # every entry, once
    assert feeder.refresh().archives_written == 0


def test_a_busy_month_keeps_all_its_items_in_the_feed_until_it_is_archived(
    workdir: Path, load: Callable[[Path], Settings], clock: ManualClock
) -> None:
    configure(workdir, "feed_size = 2\n")
    (workdir / "seeds" / "005_new.txt").write_text(
        "".join(f"{day:02}.11.2026\n\nNovember item number {day}.\n\n" for day in (3, 5, 7))
    )
    settings = load(workdir)
    with make_feeder(settings, clock) as feeder:
        feeder.refresh()
    current = feedparser.parse(io.BytesIO((settings.feeds_dir / "all.atom").read_bytes()))
    # Three dated November items and the two undated ones first seen today (the
    # other undated items of the seeds are dated by their text or their story).
    assert len(current.entries) == 5
    assert link(current, "prev-archive") == f"{BASE}archive/all/2024-12.atom"


def test_an_edited_item_rewrites_only_the_months_that_hold_it(
    feeder: Feeder, settings: Settings, published: Path, clock: ManualClock
) -> None:
    before = stats(published)
    capture = next((settings.feeds_dir.parent / "seeds").glob("000_*"))
    text = capture.read_text()
    capture.write_text(text.replace("On the eve of the training", "On the eve of this training", 1))
    clock.advance(hours=1)
    assert feeder.refresh().items_updated == 1
    after = stats(published)
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed and all(name.endswith("/2024-10.atom") for name in changed)
    assert "archive/all/2024-10.atom" in changed


def test_a_topic_no_longer_configured_loses_its_archive(
    feeder: Feeder, settings: Settings, published: Path
) -> None:
    assert (published / "archive" / "nato").is_dir()
    topics = {slug: topic for slug, topic in settings.topics.items() if slug != "nato"}
    with make_feeder(settings.model_copy(update={"topics": topics})) as fewer:
        fewer.refresh()
    assert not (published / "archive" / "nato").exists()
    assert (published / "archive" / "belarus").is_dir()


def test_period_digests_move_only_with_a_months_items_or_its_neighbours() -> None:
    site = Site("S", BASE, "x,2026")

    def stamp(key: str, month: int) -> ItemStamp:
        moment = datetime(2024, month, 15, tzinfo=UTC)
        return ItemStamp(key, moment, moment)

    base = period_digests(site, [stamp("a", 1), stamp("b", 3), stamp("c", 5)])
    assert list(base) == ["2024-01", "2024-03", "2024-05"]
    added = period_digests(site, [stamp("a", 1), stamp("b", 3), stamp("c", 5), stamp("d", 5)])
    assert [p for p in base if base[p] != added[p]] == ["2024-05"]
    later = period_digests(site, [stamp("a", 1), stamp("b", 3), stamp("c", 5), stamp("e", 7)])
    # A new month changes the newest old month's next-archive link, nothing older.
    assert [p for p in base if base[p] != later[p]] == ["2024-05"]


def test_periods_have_four_digit_years_so_they_sort_and_serve() -> None:
    site = Site("S", BASE, "x,2026")
    old = datetime(999, 3, 1, tzinfo=UTC)
    assert site.period_of(old) == "0999-03"
    assert site.period_bounds("0999-03") == (old, datetime(999, 4, 1, tzinfo=UTC))
    assert site.period_bounds("2024-12") == (
        datetime(2024, 12, 1, tzinfo=UTC),
        datetime(2025, 1, 1, tzinfo=UTC),
    )


def test_a_damaged_archive_document_is_rewritten(
    feeder: Feeder, settings: Settings, published: Path
) -> None:
    document = published / "archive" / "all" / "2024-10.atom"
    good = document.read_bytes()
    document.write_bytes(good[: len(good) // 2])  # torn, and without its digest
    (settings.feeds_dir.parent / "seeds" / "005_new.txt").write_text(NEW_THIS_MONTH)
    feeder.refresh()  # `all` changed: its months are checked
    assert document.read_bytes() == good
