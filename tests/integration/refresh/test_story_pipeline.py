"""Stories end to end: one entry per story in every feed, a later report updating it,
dates inferred later moving it, decisions by hand that last, and the commands."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import feedparser
import pytest
from conftest import SEED_ENTRIES, ManualClock
from sqlalchemy import update
from typer.testing import CliRunner

from feeder import Feeder, Settings, make_feeder
from feeder.cli import app
from feeder.model import DateSource
from feeder.publish.entry_times import key_offset
from feeder.store.schema import ITEMS, STORY_SIGNATURES, STORY_TERMS

INTERVIEW = "886412b4004c61f4c4455582"  # seeds/000, 15.11.2023
REWRITE = "a3aa83280a40a1d4e79741f6"  # seeds/001, another outlet's undated rewrite of it
runner = CliRunner()


@pytest.fixture
def database_url(each_database: str) -> str:
    return each_database


def entries(feeds: Path, name: str) -> list:
    return feedparser.parse(io.BytesIO((feeds / name).read_bytes())).entries


def test_a_later_report_updates_its_storys_entry_and_adds_none(
    feeder: Feeder, settings: Settings, clock: ManualClock
) -> None:
    folder = settings.sources[0].path
    rewrite = next(folder.glob("001_*"))
    text = rewrite.read_text(encoding="utf-8")
    rewrite.unlink()
    feeder.refresh()
    before = {e.id: e for e in entries(settings.feeds_dir, "all.atom")}
    rewrite.write_text(text, encoding="utf-8")
    later = clock.advance(days=2)
    summary = feeder.refresh()
    assert summary.items_new == 1
    after = {e.id: e for e in entries(settings.feeds_dir, "all.atom")}
    assert set(after) == set(before) and len(after) == SEED_ENTRIES
    entry = after[f"tag:feeder.example,2026:item/{INTERVIEW}"]
    assert entry.published == before[entry.id].published == "2023-11-15T00:00:00+00:00"
    assert entry.updated == (later + key_offset(INTERVIEW)).isoformat()
    assert "Also reported:" in entry.content[0].value
    assert f"items/{REWRITE}.html" in entry.content[0].value
    feed = json.loads((settings.feeds_dir / "all.json").read_text(encoding="utf-8"))
    (item,) = [i for i in feed["items"] if i["id"].endswith(INTERVIEW)]
    assert "In his exclusive interview with Sputnik Belarus" in item["content_html"]
    page = (settings.feeds_dir / "items" / f"{REWRITE}.html").read_text(encoding="utf-8")
    assert f'<a href="{INTERVIEW}.html">its first report</a>' in page
    assert "2023-11-15" in page


def test_a_report_joining_an_entry_never_published_leaves_its_time_alone(
    feeder: Feeder, settings: Settings, clock: ManualClock
) -> None:
    """As after a refresh killed between storing and publishing: nobody saw the entry
    without its later report, so the entry reads as one run would have written it."""
    folder = settings.sources[0].path
    rewrite = next(folder.glob("001_*"))
    text = rewrite.read_text(encoding="utf-8")
    rewrite.unlink()
    feeder.refresh()
    shutil.rmtree(settings.feeds_dir)  # the interview stored, never published
    rewrite.write_text(text, encoding="utf-8")
    clock.advance(days=2)
    assert feeder.refresh().items_new == 1
    entry = {e.id: e for e in entries(settings.feeds_dir, "all.atom")}[
        f"tag:feeder.example,2026:item/{INTERVIEW}"
    ]
    assert entry.published == "2023-11-15T00:00:00+00:00"
    assert (
        entry.updated
        == (datetime.fromisoformat(entry.published) + key_offset(INTERVIEW)).isoformat()
    )
    assert f"items/{REWRITE}.html" in entry.content[0].value


def test_topic_feeds_follow_every_topic_of_the_story(feeder: Feeder, settings: Settings) -> None:
    feeder.refresh()
    own = {v.slug for v in feeder.explain(REWRITE).verdicts if v.relevant}
    assert own, "the rewrite is about some topics of its own"
    for slug in own:
        ids = {e.id.rsplit("/", 1)[1] for e in entries(settings.feeds_dir, f"{slug}.atom")}
        assert INTERVIEW in ids and REWRITE not in ids, slug


UNDATED = (
    "CSTO Secretary General Askar Beisenov and Defence Minister Viktor Kovalenko discussed "
    "the Cooperation-2025 drills at the Losvido range, which will bring together about "
    "2,300 troops and 140 pieces of hardware, BelTA reports.\n"
)
ORIGINAL = (
    "24.06.2025\n\n"
    "In Minsk, CSTO Secretary General Askar Beisenov held talks with the Minister of "
    "Defence of Belarus Viktor Kovalenko on the joint exercise “Cooperation-2025” at the "
    "Losvido range, with 2,300 servicemen and 140 units of equipment.\n"
)


def test_a_date_inferred_later_redates_the_entry_where_it_is_published(
    tmp_path: Path, load, clock: ManualClock
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a_rewrite.txt").write_text(UNDATED, encoding="utf-8")
    (tmp_path / "feeder.toml").write_text('[[sources]]\nname = "news"\npath = "news"\n')
    settings = load(tmp_path)
    with make_feeder(settings, clock) as feeder:
        feeder.refresh()
        (first,) = feeder.items()
        assert first.date_source is DateSource.FIRST_SEEN
        (folder / "b_original.txt").write_text(ORIGINAL, encoding="utf-8")
        clock.advance(hours=1)
        feeder.refresh()
        (entry,) = feeder.items()
    # The first-stored report stays the entry, now dated by its story.
    assert entry.key == first.key and entry.date_source is DateSource.STORY
    assert entry.published.date().isoformat() == "2025-06-24"
    (current,) = entries(settings.feeds_dir, "all.atom")
    assert current.published == "2025-06-24T00:00:00+00:00"  # no longer this month's news
    # Archive pages follow arrival, not dates: the one entry stays in the feed.
    assert list((settings.feeds_dir / "archive" / "all").glob("page-*.atom")) == []


def test_decisions_by_hand_last_through_regrouping_and_reparsing(
    feeder: Feeder, settings: Settings, clock: ManualClock
) -> None:
    feeder.refresh()
    feeder.leave_story(REWRITE)
    feeder.set_date("3bdc711b", date(2024, 2, 3))
    path = next(settings.sources[0].path.glob("001_*"))
    path.write_text(path.read_text(encoding="utf-8").replace("anything good", "any good"))
    with feeder.store.write() as writer:  # as after a release that groups differently
        writer.set_meta("story_grouping", "an older way")
    clock.advance(hours=1)
    summary = feeder.refresh()
    assert summary.items_regrouped == 17 and summary.items_updated == 1
    assert feeder.item(REWRITE).story is None and not feeder.item(INTERVIEW).also
    dated = feeder.item("3bdc711b")
    assert (dated.date_source, dated.published.date().isoformat()) == (DateSource.SET, "2024-02-03")
    feeder.join_story(REWRITE, INTERVIEW)
    assert feeder.item(REWRITE).story == INTERVIEW
    feeder.set_date("3bdc711b", None)
    assert feeder.item("3bdc711b").date_source is DateSource.FIRST_SEEN


def test_a_database_stored_before_stories_is_grouped_by_its_first_refresh(
    feeder: Feeder, settings: Settings
) -> None:
    feeder.refresh()
    with feeder.store.write() as writer:  # what migration 0004 leaves: no stories yet
        writer.conn.execute(update(ITEMS).values(story_id=None))
        writer.conn.execute(STORY_TERMS.delete())
        writer.conn.execute(STORY_SIGNATURES.delete())
        writer.delete_meta("story_grouping")
    summary = feeder.refresh()
    assert summary.items_regrouped == 17
    assert feeder.item(REWRITE).story == INTERVIEW
    assert len(entries(settings.feeds_dir, "all.atom")) == SEED_ENTRIES


@pytest.fixture
def cli_folder(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(workdir)
    monkeypatch.delenv("FEEDER_CONFIG", raising=False)
    assert runner.invoke(app, ["refresh", "--quiet"]).exit_code == 0
    return workdir


@pytest.mark.usefixtures("cli_folder")
def test_the_commands_list_stories_and_take_decisions() -> None:
    listed = json.loads(runner.invoke(app, ["stories", "--json"]).stdout)
    assert [(s["key"], [o["key"] for o in s["also"]]) for s in listed] == [(INTERVIEW, [REWRITE])]
    items = json.loads(runner.invoke(app, ["items", "--json", "-n", "50"]).stdout)
    assert len(items) == SEED_ENTRIES
    assert {i["story"] for i in items} == {i["key"] for i in items}
    table = runner.invoke(app, ["stories"]).stdout
    assert INTERVIEW[:8] in table and REWRITE[:8] in table

    alone = runner.invoke(app, ["story", "alone", REWRITE[:8]])
    assert alone.exit_code == 0 and f"{REWRITE} is now a story of its own" in alone.stdout
    assert json.loads(runner.invoke(app, ["stories", "--json"]).stdout) == []
    joined = runner.invoke(app, ["story", "join", REWRITE[:8], INTERVIEW[:8]])
    assert joined.exit_code == 0 and f"story {INTERVIEW}" in joined.stdout
    dated = runner.invoke(app, ["date", REWRITE[:8], "2023-11-14"])
    assert dated.exit_code == 0 and "dated 2023-11-14 (set)" in dated.stdout
    cleared = runner.invoke(app, ["date", REWRITE[:8], "--clear"])
    assert "dated 2023-11-15 (context)" in cleared.stdout


@pytest.mark.usefixtures("cli_folder")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["date", "abcd1234", "2024-01-01"], "no stored item has a key starting with 'abcd1234'"),
        (["date", REWRITE[:8], "15.11.2023"], "'15.11.2023' is not a date (YYYY-MM-DD)"),
        (["date", REWRITE[:8]], "give either a date (YYYY-MM-DD) or --clear"),
        (["story", "join", REWRITE, REWRITE[:6]], "name the same item"),
    ],
)
def test_a_wrong_decision_is_refused_with_the_reason(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and message in result.stderr
