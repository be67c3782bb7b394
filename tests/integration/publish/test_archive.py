"""RFC 5005 archives: walked from each current feed back to the first item by a real
consumer (feedparser plus the XML parser for the `fh:archive` marker), complete, each
item once, in pages that keep their bytes while items arrive and are rewritten only
where an item on them changed."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from conftest import EXPECTED_TOPIC_COUNTS, SEED_ENTRIES, ManualClock, configure

from feeder import Feeder, Settings, make_feeder
from feeder.model import FeedContent, ItemStamp, newest_first
from feeder.publish.atom_rss import render_atom_or_rss
from feeder.publish.chain import load_recorded, page_digest, page_size, plan_chain
from feeder.publish.document import archive_document
from feeder.refresh.feeds import feed_chain
from feeder.refresh.publishing import site_of

HISTORY = "{http://purl.org/syndication/history/1.0}"
BASE = "http://127.0.0.1:8080/"
FEED_SIZE = 4  # pages of 2: the seeds' 16 entries fill six pages and the feed keeps 4
NEW_ITEM = "20.11.2026\n\nNATO observers visited Minsk in November.\n"


@pytest.fixture
def database_url(each_database: str) -> str:
    return each_database


@pytest.fixture
def workdir(workdir: Path) -> Path:
    configure(workdir, f"feed_size = {FEED_SIZE}\n")
    return workdir


def local(feeds: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    return feeds / url.removeprefix(BASE)


def link(parsed: feedparser.FeedParserDict, rel: str) -> str | None:
    return next((ln.href for ln in parsed.feed.get("links", []) if ln.rel == rel), None)


def read(path: Path) -> feedparser.FeedParserDict:
    return feedparser.parse(io.BytesIO(path.read_bytes()))


def walk_archives(feeds: Path, slug: str) -> list[tuple[Path, list[str]]]:
    """From `<slug>.atom` along prev-archive to the end: each document and its entry ids."""
    url = link(read(feeds / f"{slug}.atom"), "prev-archive")
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
        assert link(parsed, "next-archive") is None  # it would change a full page's bytes
        walked.append((path, [entry.id for entry in parsed.entries]))
        url = link(parsed, "prev-archive")
    return walked


def reachable(feeds: Path, slug: str) -> list[str]:
    """Every entry id a reader gets from the feed and its archive pages, repeats kept."""
    current = [entry.id for entry in read(feeds / f"{slug}.atom").entries]
    return current + [entry for _, entries in walk_archives(feeds, slug) for entry in entries]


def stats(feeds: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        str(p.relative_to(feeds)): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
        for p in (feeds / "archive").rglob("*.atom")
    }


@pytest.mark.parametrize("slug", ["all", *EXPECTED_TOPIC_COUNTS])
def test_walking_back_from_the_current_feed_reaches_every_item_once(
    published: Path, slug: str
) -> None:
    ids = reachable(published, slug)
    expected = SEED_ENTRIES if slug == "all" else EXPECTED_TOPIC_COUNTS[slug]
    assert len(ids) == len(set(ids)) == expected  # in one document only, the feed included
    assert len(read(published / f"{slug}.atom").entries) <= FEED_SIZE


def test_pages_count_from_the_oldest_and_hold_a_fixed_number_of_entries(
    published: Path,
) -> None:
    walked = walk_archives(published, "all")
    names = [path.name for path, _ in walked]
    assert names == [f"page-{n}.atom" for n in range(len(walked), 0, -1)]
    assert all(len(entries) == page_size(FEED_SIZE) for _, entries in walked)
    assert len(read(published / "all.atom").entries) == SEED_ENTRIES - 2 * len(walked)
    recorded = json.loads((published / "archive" / "all" / ".pages.json").read_text())
    assert len(load_recorded(recorded)) == len(walked)


def test_full_pages_keep_their_bytes_while_items_arrive(
    feeder: Feeder, settings: Settings, published: Path, clock: ManualClock
) -> None:
    seeds = settings.feeds_dir.parent / "seeds"
    for day in range(1, 6):  # each refresh brings one item: pages close one by one
        before = stats(published)
        clock.advance(hours=1)
        (seeds / f"10{day}_new.txt").write_text(f"0{day}.11.2026\n\nMinsk update number {day}.\n")
        summary = feeder.refresh()
        after = stats(published)
        assert summary.items_new == 1
        assert {name: after[name] for name in before} == before  # same inode, mtime, bytes
        assert summary.archives_written == len(set(after) - set(before))
        ids = reachable(published, "all")
        assert len(ids) == len(set(ids)) == SEED_ENTRIES + day
    assert len(walk_archives(published, "all")) == (SEED_ENTRIES + 5 - 3) // 2


def test_an_edited_item_rewrites_only_the_page_that_holds_it(
    feeder: Feeder, settings: Settings, published: Path, clock: ManualClock
) -> None:
    before = stats(published)
    capture = next((settings.feeds_dir.parent / "seeds").glob("000_*"))
    text = capture.read_text()
    capture.write_text(text.replace("On the eve of the training", "On the eve of this training", 1))
    clock.advance(hours=1)
    summary = feeder.refresh()
    assert summary.items_updated == 1
    after = stats(published)
    changed = {name for name in after if before.get(name) != after[name]}
    assert set(after) == set(before)  # no page opened or closed
    # At most one page per feed holding the item (it may sit in a feed's current document).
    assert len(changed) == len({name.split("/")[1] for name in changed})
    assert summary.archives_written == len(changed)


def test_a_topic_no_longer_configured_loses_its_archive(
    feeder: Feeder, settings: Settings, published: Path
) -> None:
    assert (published / "archive" / "exercises").is_dir()
    topics = {slug: topic for slug, topic in settings.topics.items() if slug != "exercises"}
    with make_feeder(settings.model_copy(update={"topics": topics})) as fewer:
        fewer.refresh()
    assert not (published / "archive" / "exercises").exists()
    assert (published / "archive" / "all").is_dir()


def test_a_damaged_archive_page_is_rewritten(
    feeder: Feeder, settings: Settings, published: Path
) -> None:
    document = published / "archive" / "all" / "page-1.atom"
    good = document.read_bytes()
    document.write_bytes(good[: len(good) // 2])  # torn, and without its digest
    (settings.feeds_dir.parent / "seeds" / "105_new.txt").write_text(NEW_ITEM)
    feeder.refresh()  # `all` changed: its pages are checked
    assert document.read_bytes() == good


def test_month_archives_of_earlier_versions_are_removed_on_the_first_refresh(
    feeder: Feeder, settings: Settings
) -> None:
    old = settings.feeds_dir / "archive" / "all"
    old.mkdir(parents=True)
    (old / "2024-10.atom").write_text("<feed/>")
    (old / ".periods.json").write_text("{}")
    feeder.refresh()
    assert not (old / "2024-10.atom").exists() and not (old / ".periods.json").exists()
    assert (old / "page-1.atom").is_file()  # `feeder serve` redirects the old URLs


def stamp(key: str, minute: int) -> ItemStamp:
    published = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=minute)
    return ItemStamp(key, published, published)


def keys(pages: tuple[tuple[ItemStamp, ...], ...]) -> list[list[str]]:
    return [[s.key for s in page] for page in pages]


def test_plan_chain_closes_pages_only_while_the_rest_overflows_the_feed() -> None:
    stamps = [stamp(f"k{n:02}", n) for n in reversed(range(10))]
    chain = plan_chain(stamps, [], feed_size=4)
    assert keys(chain.pages) == [["k00", "k01"], ["k02", "k03"], ["k04", "k05"]]
    assert [s.key for s in chain.current] == ["k06", "k07", "k08", "k09"]
    assert plan_chain(stamps[:4], [], feed_size=4).pages == ()


def test_an_item_arriving_late_with_an_old_date_never_enters_a_closed_page() -> None:
    stamps = [stamp(f"k{n}", n) for n in range(6)]
    first = plan_chain(stamps, [], feed_size=4)
    later = plan_chain([*stamps, stamp("late", -1000)], first.recorded, feed_size=4)
    assert later.pages[: len(first.pages)] == first.pages
    assert keys(later.pages[len(first.pages) :]) == [["late", "k2"]]


def test_recorded_pages_keep_their_items_when_one_leaves_or_joins() -> None:
    stamps = [stamp(f"k{n:02}", n) for n in range(10)]
    first = plan_chain(stamps, [], feed_size=4)
    left = [s for s in stamps if s.key != "k02"]  # re-tagged out of the feed
    after = plan_chain(left, first.recorded, feed_size=4)
    assert keys(after.pages) == [["k00", "k01"], ["k03"], ["k04", "k05"]]
    assert after.current == first.current
    back = plan_chain(stamps, after.recorded, feed_size=4)  # joins again, like a new item
    assert back.pages[:3] == after.pages and keys(back.pages[3:]) == [["k02", "k06"]]
    assert page_digest(2, after.pages[1]) != page_digest(2, first.pages[1])
    assert page_digest(1, after.pages[0]) == page_digest(1, first.pages[0])


def test_recorded_pages_survive_json_and_damaged_records_are_ignored() -> None:
    chain = plan_chain([stamp(f"k{n:02}", n) for n in range(10)], [], feed_size=4)
    assert load_recorded(json.loads(json.dumps(chain.recorded))) == chain.recorded
    assert load_recorded([["a", "b"], ["b"]]) == []  # a key on two pages
    assert load_recorded([["a", 1]]) == [] and load_recorded({"pages": 1}) == []


def test_a_page_showing_a_story_follows_its_other_reports(
    feeder: Feeder, settings: Settings
) -> None:
    """A closed page keeps its entries, but an entry's "Also reported" is part of it."""
    interview, rewrite = "886412b4004c61f4c4455582", "a3aa83280a40a1d4e79741f6"
    feeder.refresh()
    (page,) = [path for path, ids in walk_archives(settings.feeds_dir, "all")
               if f"tag:feeder.example,2026:item/{interview}" in ids]  # fmt: skip
    assert f"items/{rewrite}.html" in page.read_text(encoding="utf-8")
    feeder.remove(rewrite)
    assert f"items/{rewrite}.html" not in page.read_text(encoding="utf-8")
    feeder.restore(rewrite)
    assert f"items/{rewrite}.html" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("slug", ["all", "exercises", "kazakhstan"])
def test_each_archive_page_is_what_feedgen_writes_for_the_whole_page(
    feeder: Feeder, settings: Settings, published: Path, slug: str
) -> None:
    """Pages are built from entries rendered once and spliced in (and the items read
    once for all feeds): the bytes are those of feedgen's own document for the page,
    read and rendered on its own, so its ETag is as before."""
    feed, chain = feed_chain(feeder.store, settings, slug)
    site, titles = site_of(settings), {t.slug: t.title for t in settings.topic_list()}
    assert chain.pages
    for number, stamps in enumerate(chain.pages, start=1):
        items = newest_first(feeder.store.items_by_keys([s.key for s in stamps]))
        page = FeedContent(slug, feed.title, items, len(items))
        whole = render_atom_or_rss(archive_document(site, page, number, titles), "atom")
        data = (published / "archive" / slug / f"page-{number}.atom").read_bytes()
        # The page ends with a line of its own naming its digest.
        assert data.removesuffix(data.splitlines(keepends=True)[-1]) == whole + b"\n"


def test_the_all_archive_carries_full_text_and_topic_archives_title_time_topics_and_link(
    published: Path,
) -> None:
    from feeder.model import Site
    from feeder.web.archive_page import render_archive_page

    page = published / "archive" / "all" / "page-1.atom"
    root = ET.fromstring(page.read_bytes())
    atom = "{http://www.w3.org/2005/Atom}"
    entries = root.findall(f"{atom}entry")
    assert entries and all(e.find(f"{atom}content") is not None for e in entries)
    assert all(e.find(f"{atom}summary") is None for e in entries)
    topic = next((published / "archive").glob("[!a]*/page-1.atom"))
    topic_entries = ET.fromstring(topic.read_bytes()).findall(f"{atom}entry")
    assert topic_entries
    for entry in topic_entries:
        assert entry.find(f"{atom}summary") is None and entry.find(f"{atom}content") is None
        assert entry.find(f"{atom}title").text and entry.find(f"{atom}link").get("href")
        assert entry.find(f"{atom}updated") is not None
        # Its topics by label, without the scheme's address; never edited: one time.
        categories = entry.findall(f"{atom}category")
        assert categories and all(c.get("label") and not c.get("scheme") for c in categories)
        assert entry.find(f"{atom}published") is None
    # The archive's web view still shows each entry's lead, from its content.
    site = Site("CSTO news", "http://127.0.0.1:8080/", "feeder.example,2026", UTC)
    view = render_archive_page(site, "all", 1, page.read_bytes()).decode()
    lead = " ".join("".join(entries[0].find(f"{atom}content").itertext()).split())[:40]
    assert lead.replace("<p>", "")[:20] in view
