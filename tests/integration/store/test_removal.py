"""Removing an item from every feed and restoring it (`feeder remove`, `feeder restore`),
on SQLite and PostgreSQL, read back from the published files with feedparser."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import feedparser
import pytest
from conftest import SEED_ENTRIES, ManualClock, configure
from fixture_server import FixtureServer, fixture_server, static
from integration.sources.test_web import ONE, THREE, TWO, feed_source, rss
from typer.testing import CliRunner

from feeder import Feeder, Settings, make_feeder
from feeder.cli import app
from feeder.errors import RemovalError
from feeder.model import DateSource, ItemKind, ParsedItem
from feeder.overrides.removal import Target, choose_item, takes_lead_back
from feeder.refresh.decider import Change, classify_item

TRAINING = "53a2e7187d0cbbfecf29a46e"  # seeds/004, 23.12.2024, in `exercises`, a story alone
INTERVIEW = "886412b4004c61f4c4455582"  # seeds/000, leads a story of two reports
REWRITE = "a3aa83280a40a1d4e79741f6"  # seeds/001, the other report of that story
TAG = "tag:feeder.example,2026:item/"
runner = CliRunner()


@pytest.fixture
def database_url(each_database: str) -> str:
    return each_database


def entries(feeds: Path, name: str) -> dict[str, feedparser.FeedParserDict]:
    """The entries of a published feed or archive document, by item key."""
    parsed = feedparser.parse(io.BytesIO((feeds / name).read_bytes()))
    return {entry.id.removeprefix(TAG): entry for entry in parsed.entries}


def everywhere(feeds: Path) -> dict[str, set[str]]:
    """Every published document (feeds in three formats, archives) -> its item keys."""
    found = {}
    for path in [*feeds.glob("*.atom"), *feeds.glob("*.rss"), *feeds.glob("archive/*/*.atom")]:
        found[str(path.relative_to(feeds))] = set(entries(feeds, str(path.relative_to(feeds))))
    for path in feeds.glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        if "jsonfeed.org" in document.get("version", ""):
            found[path.name] = {item["id"].removeprefix(TAG) for item in document["items"]}
    return found


def holding(feeds: Path, key: str) -> set[str]:
    return {name for name, keys in everywhere(feeds).items() if key in keys}


def test_removing_an_item_takes_it_out_of_feeds_archives_search_listings_and_pages(
    feeder: Feeder, settings: Settings
) -> None:
    feeds = settings.feeds_dir
    feeder.refresh()
    assert {"all.atom", "all.rss", "all.json", "exercises.atom"} <= holding(feeds, TRAINING)
    assert TRAINING in {item.key for item in feeder.search('"joint training session"')}
    counts = {topic.slug: topic.items for topic in feeder.topics()}

    removed = feeder.remove(TRAINING[:6])

    assert (removed.key, removed.removed, removed.changed, removed.story) == (
        TRAINING, True, True, None
    )  # fmt: skip
    assert holding(feeds, TRAINING) == set()
    assert len(entries(feeds, "all.atom")) == SEED_ENTRIES - 1
    assert TRAINING not in {item.key for item in feeder.items(limit=100)}
    assert TRAINING not in {item.key for item in feeder.items("exercises", limit=100)}
    assert feeder.search('"joint training session"') == []
    assert {t.slug: t.items for t in feeder.topics()}["exercises"] == counts["exercises"] - 1
    assert not (feeds / "items" / f"{TRAINING}.html").exists()
    assert TRAINING not in (feeds / "index.html").read_text(encoding="utf-8")
    with pytest.raises(LookupError):
        feeder.explain(TRAINING)


def test_removing_an_item_empties_its_place_in_the_archive_and_keeps_the_other_pages(
    settings: Settings, clock: ManualClock
) -> None:
    feeds = settings.feeds_dir
    with make_feeder(settings.model_copy(update={"feed_size": 2}), clock) as feeder:
        feeder.refresh()  # pages of one entry: 14 pages, 2 entries in each `all` feed
        held = [name for name in holding(feeds, TRAINING) if name.startswith("archive/all/")]
        pages = {p.name: p.read_bytes() for p in (feeds / "archive" / "all").glob("page-*")}
        feeder.remove(TRAINING)
    assert holding(feeds, TRAINING) == set()
    after = {p.name: p.read_bytes() for p in (feeds / "archive" / "all").glob("page-*")}
    changed = {name for name in pages if after.get(name) != pages[name]}
    assert set(after) == set(pages)  # its page stays, one entry short; no page moves
    assert changed == {name.removeprefix("archive/all/") for name in held}
    walked = [k for name in after for k in entries(feeds, f"archive/all/{name}")]
    walked += list(entries(feeds, "all.atom"))
    assert len(walked) == len(set(walked)) == SEED_ENTRIES - 1


def test_a_refresh_reading_its_capture_again_keeps_it_out_and_counts_it(
    feeder: Feeder, settings: Settings, clock: ManualClock
) -> None:
    feeds = settings.feeds_dir
    feeder.refresh()
    feeder.remove(TRAINING)
    capture = next(settings.sources[0].path.glob("004_*"))
    capture.write_text(capture.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    clock.advance(hours=1)
    summary = feeder.refresh()
    assert summary.files_scanned == 1 and summary.items_removed_skipped == 1
    assert (summary.items_new, summary.items_updated) == (0, 0)
    assert holding(feeds, TRAINING) == set()
    assert feeder.item_count() == 16
    # A worker writing everything (new output, another worker's removal) deletes its page.
    (feeds / "items" / f"{TRAINING}.html").write_text("stale", encoding="utf-8")
    (feeds / ".feeder-published.json").unlink()
    feeder.refresh()
    assert not (feeds / "items" / f"{TRAINING}.html").exists()
    assert holding(feeds, TRAINING) == set()


def test_a_capture_edited_while_its_item_was_removed_is_read_again_after_restore(
    feeder: Feeder, settings: Settings, clock: ManualClock
) -> None:
    feeder.refresh()
    feeder.remove(REWRITE)
    capture = next(settings.sources[0].path.glob("001_*"))
    capture.write_text(
        capture.read_text(encoding="utf-8") + "\n\nThe zebraword was added later.\n",
        encoding="utf-8",
    )
    clock.advance(hours=1)
    assert feeder.refresh().items_removed_skipped == 1  # read, and kept out
    feeder.restore(REWRITE)
    clock.advance(hours=1)
    summary = feeder.refresh()
    assert (summary.files_scanned, summary.items_updated) == (1, 1)
    assert [item.key for item in feeder.search("zebraword")] == [INTERVIEW]  # its story


def test_restoring_brings_it_back_with_its_entry_id_date_topics_and_page(
    feeder: Feeder, settings: Settings, clock: ManualClock
) -> None:
    feeds = settings.feeds_dir
    feeder.refresh()
    before = entries(feeds, "exercises.atom")[TRAINING]
    places = holding(feeds, TRAINING)
    item = feeder.item(TRAINING)
    seen = feeder.store.sightings(TRAINING)
    feeder.remove(TRAINING)
    clock.advance(days=1)

    restored = feeder.restore(TRAINING[:8])

    assert (restored.key, restored.removed, restored.changed) == (TRAINING, False, True)
    assert holding(feeds, TRAINING) == places
    after = entries(feeds, "exercises.atom")[TRAINING]
    assert (after.id, after.published, after.updated) == (
        before.id, before.published, before.updated
    )  # fmt: skip
    assert after.published == "2024-12-23T00:00:00+00:00"
    back = feeder.item(TRAINING)
    assert (back.published, back.date_source, back.topics) == (
        item.published, DateSource.EXPLICIT, item.topics
    )  # fmt: skip
    assert (back.first_seen, back.blocks) == (item.first_seen, item.blocks)
    assert feeder.store.sightings(TRAINING) == seen
    assert (feeds / "items" / f"{TRAINING}.html").exists()
    assert TRAINING in {i.key for i in feeder.search('"joint training session"')}
    # Restored for good: a refresh reading its capture again finds it unchanged.
    capture = next(settings.sources[0].path.glob("004_*"))
    capture.write_text(capture.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    summary = feeder.refresh()
    assert (summary.items_removed_skipped, summary.items_new, summary.items_updated) == (0, 0, 0)


def test_removing_a_storys_lead_hands_its_entry_over_and_restoring_takes_it_back(
    feeder: Feeder, settings: Settings
) -> None:
    feeds = settings.feeds_dir
    feeder.refresh()
    lead = entries(feeds, "all.atom")[INTERVIEW]
    assert REWRITE not in entries(feeds, "all.atom")

    removed = feeder.remove(INTERVIEW)

    assert removed.story == REWRITE
    shown = entries(feeds, "all.atom")
    assert INTERVIEW not in shown and REWRITE in shown and len(shown) == SEED_ENTRIES
    assert "Also reported" not in shown[REWRITE].content[0].value
    heir = feeder.item(REWRITE)
    assert (heir.story, heir.also) == (None, ())
    for slug in heir.topics:
        assert REWRITE in entries(feeds, f"{slug}.atom"), slug
    assert feeder.stories() == []
    page = (feeds / "items" / f"{REWRITE}.html").read_text(encoding="utf-8")
    assert INTERVIEW not in page

    assert feeder.restore(INTERVIEW).story is None  # it leads its story again
    shown = entries(feeds, "all.atom")
    assert INTERVIEW in shown and REWRITE not in shown and len(shown) == SEED_ENTRIES
    assert (shown[INTERVIEW].published, shown[INTERVIEW].id) == (lead.published, lead.id)
    assert f"items/{REWRITE}.html" in shown[INTERVIEW].content[0].value
    assert feeder.item(REWRITE).story == INTERVIEW
    assert [s.key for s in feeder.stories()] == [INTERVIEW]


def test_removing_a_report_leaves_its_storys_entry_without_it(
    feeder: Feeder, settings: Settings
) -> None:
    feeder.refresh()
    assert feeder.remove(REWRITE).story == INTERVIEW
    shown = entries(settings.feeds_dir, "all.atom")
    assert INTERVIEW in shown and "Also reported" not in shown[INTERVIEW].content[0].value
    assert feeder.item(INTERVIEW).also == ()
    assert feeder.restore(REWRITE).story == INTERVIEW
    assert [other.key for other in feeder.item(INTERVIEW).also] == [REWRITE]


def test_removing_twice_is_harmless_and_wrong_keys_are_refused(feeder: Feeder) -> None:
    feeder.refresh()
    feeder.remove(TRAINING)
    again = feeder.remove(TRAINING[:10])
    assert (again.key, again.removed, again.changed) == (TRAINING, True, False)
    with pytest.raises(RemovalError, match=f"{INTERVIEW} is not removed"):
        feeder.restore(INTERVIEW)
    with pytest.raises(RemovalError, match=r"no stored or removed item .* 'abcd1234'"):
        feeder.remove("abcd1234")
    with pytest.raises(RemovalError, match="'53a' is not an item key"):
        feeder.restore("53a")


def test_an_item_whose_row_id_was_taken_meanwhile_comes_back_under_another(
    tmp_path: Path, load: Callable[[Path], Settings], clock: ManualClock
) -> None:
    """SQLite gives a new row the highest id plus one: the id of the last item stored,
    once it is removed."""
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("24.06.2025\n\nIn Minsk, the ministers met.\n")
    (tmp_path / "feeder.toml").write_text('[[sources]]\nname = "news"\npath = "news"\n')
    settings = load(tmp_path)
    with make_feeder(settings, clock) as feeder:
        feeder.refresh()
        (first,) = feeder.items()
        feeder.remove(first.key)
        (folder / "b.txt").write_text("25.06.2025\n\nIn Astana, border guards trained.\n")
        clock.advance(hours=1)
        (second,) = feeder.items() if feeder.refresh().items_new == 1 else []
        feeder.restore(first.key)
        assert [item.key for item in feeder.items()] == [second.key, first.key]
        assert feeder.item(first.key).published == first.published
    assert set(entries(settings.feeds_dir, "all.atom")) == {first.key, second.key}


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with fixture_server() as running:
        yield running


def test_a_web_item_its_feed_no_longer_lists_comes_back(
    workdir: Path, load: Callable[[Path], Settings], clock: ManualClock, server: FixtureServer
) -> None:
    server.routes["/feed"] = static(rss(ONE, TWO))
    configure(workdir, seeds=feed_source(server))
    settings = load(workdir)
    with make_feeder(settings, clock) as feeder:
        feeder.refresh()
        (gone,) = [i for i in feeder.items(limit=100) if i.title == ONE[1]]
        feeder.remove(gone.key)
        server.routes["/feed"] = static(rss(ONE, TWO, extra="<!-- again -->"))
        clock.advance(hours=1)
        listed = feeder.refresh(sources=["web"])
        assert (listed.items_removed_skipped, listed.items_new) == (1, 0)
        server.routes["/feed"] = static(rss(TWO, THREE))  # it rolled off the feed
        clock.advance(hours=1)
        assert feeder.refresh(sources=["web"]).items_new == 1
        assert gone.key not in entries(settings.feeds_dir, "all.atom")

        feeder.restore(gone.key)

        back = feeder.item(gone.key)
    assert (back.published, back.link, back.categories, back.author) == (
        gone.published, gone.link, gone.categories, gone.author
    )  # fmt: skip
    assert back.published.isoformat() == "2024-12-02T10:00:00+00:00"
    entry = entries(settings.feeds_dir, "all.atom")[gone.key]
    assert (entry.published, entry.link) == (gone.published.isoformat(), "https://news.example/n1")


@pytest.fixture
def cli_folder(workdir: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    configure(workdir, f'database_url = "{database_url}"\n')
    monkeypatch.chdir(workdir)
    monkeypatch.delenv("FEEDER_CONFIG", raising=False)
    assert runner.invoke(app, ["refresh", "--quiet"]).exit_code == 0
    return workdir


def test_the_commands_remove_and_restore_with_exit_statuses(cli_folder: Path) -> None:
    removed = runner.invoke(app, ["remove", INTERVIEW[:8]])
    assert removed.exit_code == 0, removed.output
    assert removed.stdout.startswith(f"removed {INTERVIEW} (In an interview")
    assert f"from every feed; its story's entry is {REWRITE}\n" in removed.stdout
    listed = json.loads(runner.invoke(app, ["items", "--json", "-n", "50"]).stdout)
    assert INTERVIEW not in {item["key"] for item in listed}
    twice = runner.invoke(app, ["remove", INTERVIEW, "--json"])
    assert twice.exit_code == 0
    assert json.loads(twice.stdout) | {"title": ""} == {
        "key": INTERVIEW, "title": "", "date": "2023-11-15",
        "published": "2023-11-15T00:00:00+00:00", "removed": True, "changed": False,
        "story": REWRITE,
    }  # fmt: skip
    said = runner.invoke(app, ["remove", INTERVIEW[:8]])
    assert said.stdout.startswith(f"{INTERVIEW} is already removed (")

    restored = runner.invoke(app, ["restore", INTERVIEW[:8]])
    assert restored.exit_code == 0, restored.output
    assert restored.stdout.startswith(f"restored {INTERVIEW} (")
    assert restored.stdout.endswith(", dated 2023-11-15\n")
    report = runner.invoke(app, ["remove", REWRITE[:8]])
    assert report.exit_code == 0
    back = json.loads(runner.invoke(app, ["restore", REWRITE[:8], "--json"]).stdout)
    assert (back["key"], back["removed"], back["changed"], back["story"]) == (
        REWRITE, False, True, INTERVIEW
    )  # fmt: skip


@pytest.mark.usefixtures("cli_folder")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["remove", "abcd1234"], "no stored or removed item has a key starting with 'abcd1234'"),
        (["restore", "abcd1234"], "no stored or removed item has a key starting with 'abcd1234'"),
        (["restore", TRAINING[:8]], f"{TRAINING} is not removed: it is in the feeds"),
        (["remove", "not-a-key"], "'not-a-key' is not an item key"),
    ],
)
def test_a_wrong_key_is_refused_naming_it(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and message in result.stderr and result.stdout == ""


def test_the_ingest_decides_a_removed_key_is_kept_out_whatever_its_text() -> None:
    item = ParsedItem("k" * 24, "Title", (), ItemKind.ARTICLE, None, DateSource.FIRST_SEEN)
    assert classify_item(None, item, removed=True) is Change.REMOVED
    assert classify_item("other hash", item, removed=True) is Change.REMOVED
    assert classify_item(None, item) is Change.NEW


def test_a_key_prefix_names_one_stored_or_removed_item() -> None:
    assert choose_item("53a2", [TRAINING], []) == Target(TRAINING, False)
    assert choose_item("53a2", [], [TRAINING]) == Target(TRAINING, True)
    with pytest.raises(RemovalError, match="starts several keys"):
        choose_item("aaaa", ["aaaa" + "0" * 20], ["aaaa" + "1" * 20])
    with pytest.raises(RemovalError, match="no stored or removed item"):
        choose_item("aaaa", [], [])


def test_a_restored_lead_takes_its_entry_back_only_from_its_heir() -> None:
    assert takes_lead_back(item=1, lead=2, heir=2)
    assert not takes_lead_back(item=1, lead=1, heir=2)  # a story of its own already
    assert not takes_lead_back(item=1, lead=3, heir=2)  # it joined another story
    assert not takes_lead_back(item=1, lead=2, heir=None)  # it led no other report
