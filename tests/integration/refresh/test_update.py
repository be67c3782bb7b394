"""A refresh end to end: real seed files, a real database (SQLite and PostgreSQL),
real feed files."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import EXPECTED_TOPIC_COUNTS, SEED_FILES, ManualClock, configure, seed

from feeder import Feeder, make_feeder
from feeder.errors import LockBusyError
from feeder.model import DateSource
from feeder.refresh import LeaseLost, RefreshLimits
from feeder.store import StoreError
from feeder.store.locks import worker_name


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every published file's bytes and mtime."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def database_url(each_database: str) -> str:
    return each_database


def table_rows(feeder: Feeder) -> dict[str, list[tuple]]:
    with feeder.store.engine.connect() as conn:
        return {
            t: [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1, 2")]
            for t in ("items", "sightings", "item_topics", "source_files")
        }


def test_first_refresh_stores_the_17_seed_items(feeder: Feeder) -> None:
    summary = feeder.refresh()
    assert summary.ok and summary.files_scanned == 5
    assert summary.items_new == 17
    assert feeder.store.item_count() == 17


def test_listing_item_seen_in_two_files_is_stored_once_with_both_sightings(feeder: Feeder) -> None:
    feeder.refresh()
    repeated = feeder.items(limit=50)
    listing = [i for i in repeated if i.title.startswith("In Kazakhstan, a joint command-staff")]
    assert len(listing) == 1
    assert [path for _, path in feeder.store.sightings(listing[0].key)] == [
        seed("000").name,
        seed("002").name,
    ]


def test_second_refresh_changes_no_row_and_rewrites_no_file(
    feeder: Feeder, settings, clock
) -> None:
    feeder.refresh()
    before_rows, before_files = (
        table_rows(feeder),
        snapshot(settings.feeds_dir),
    )
    clock.advance(hours=1)
    summary = feeder.refresh()
    assert (summary.files_scanned, summary.files_unchanged) == (0, 5)
    assert (
        summary.items_new,
        summary.items_updated,
        summary.feeds_written,
        summary.pages_written,
    ) == (0, 0, 0, 0)
    assert table_rows(feeder) == before_rows
    assert snapshot(settings.feeds_dir) == before_files


def test_unchanged_files_are_not_read_on_rescan(feeder: Feeder, settings) -> None:
    feeder.refresh()
    # Same size and mtime, different bytes: only a rescan that reads files would notice.
    path = settings.sources[0].path / seed("004").name
    info = path.stat()
    data = path.read_bytes()
    path.write_bytes(data.replace(b"Astana", b"ASTANA"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    summary = feeder.refresh()
    assert (summary.files_unchanged, summary.files_scanned, summary.items_updated) == (5, 0, 0)


def test_touched_file_with_same_bytes_is_not_reparsed(feeder: Feeder, settings) -> None:
    feeder.refresh()
    path = settings.sources[0].path / seed("004").name
    path.touch()
    summary = feeder.refresh()
    assert (summary.files_scanned, summary.files_unchanged, summary.items_unchanged) == (0, 5, 0)


def test_new_capture_adds_only_its_new_items(feeder: Feeder, settings, clock) -> None:
    feeder.refresh()
    folder = settings.sources[0].path
    (folder / "005_new.txt").write_text(
        "23.12.2024\n\n" + _listing_text("004", "23.12.2024") + "\n\n\n"
        "05.01.2025\n\nOn 5 January, the CSTO Secretary General met NATO observers in Minsk.\n",
        encoding="utf-8",
    )
    clock.advance(days=1)
    summary = feeder.refresh()
    assert (summary.files_scanned, summary.items_new, summary.items_unchanged) == (1, 1, 1)
    assert feeder.store.item_count() == 18
    (added,) = [
        i for i in feeder.items(topic="nato", limit=50) if i.title.startswith("On 5 January")
    ]
    assert added.topics == ("nato",)  # Minsk is only where they met: not about Belarus
    assert feeder.store.sightings(added.key) == [("seeds", "005_new.txt")]


def _listing_text(prefix: str, day: str) -> str:
    lines = seed(prefix).read_text(encoding="utf-8").split("\n")
    return lines[lines.index(day) + 2]


def test_edited_item_is_updated_in_place_and_its_updated_time_moves(
    feeder: Feeder, settings, clock
) -> None:
    feeder.refresh()
    path = settings.sources[0].path / seed("004").name
    original = path.read_text(encoding="utf-8")
    path.write_text(
        original.replace("began by summarizing", "began by briefly summarizing"), encoding="utf-8"
    )
    before = {i.key: i for i in feeder.items(limit=50)}
    edit_time = clock.advance(days=2)
    summary = feeder.refresh()
    assert (summary.items_new, summary.items_updated) == (0, 1)
    after = {i.key: i for i in feeder.items(limit=50)}
    assert after.keys() == before.keys()
    (changed,) = [k for k in after if after[k].updated != before[k].updated]
    assert after[changed].updated == edit_time
    assert after[changed].published == before[changed].published
    assert after[changed].title.startswith("The CSTO Secretary General held press conference")
    assert any("began by briefly summarizing" in b.text for b in after[changed].blocks)


def test_undated_items_keep_their_first_seen_time_when_edited(
    feeder: Feeder, settings, clock
) -> None:
    folder = settings.sources[0].path
    (folder / "005_undated.txt").write_text(
        "The CSTO Secretariat published its review of the year. It has four chapters.\n",
        encoding="utf-8",
    )
    feeder.refresh()
    first = clock.now
    path = folder / "005_undated.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("four", "five"), encoding="utf-8")
    edited = clock.advance(days=3)
    assert feeder.refresh().items_updated == 1
    undated = {
        i.title[:20]: i for i in feeder.items(limit=50) if i.date_source is DateSource.FIRST_SEEN
    }
    # The two seed teasers with no date anywhere, and the new one.
    assert len(undated) == 3
    assert {i.published for i in undated.values()} == {first}
    assert {i.first_seen for i in undated.values()} == {first}
    assert undated["The CSTO Secretariat"].updated == edited


def test_an_edited_rewrite_keeps_the_date_of_its_story(feeder: Feeder, settings, clock) -> None:
    feeder.refresh()
    path = settings.sources[0].path / seed("001").name
    path.write_text(
        path.read_text(encoding="utf-8").replace("will not lead to anything good", "leads nowhere"),
        encoding="utf-8",
    )
    edited = clock.advance(days=3)
    assert feeder.refresh().items_updated == 1
    (entry,) = [i for i in feeder.items(limit=50) if i.title.startswith("In an interview with")]
    (rewrite,) = entry.also
    assert rewrite.title.startswith("In his exclusive interview with Sputnik Belarus")
    assert rewrite.published.date().isoformat() == "2023-11-15"
    assert entry.published.date().isoformat() == "2023-11-15" and entry.updated == edited


def test_dates_are_calendar_days_in_the_configured_zone(load, workdir, clock) -> None:
    configure(workdir, 'timezone = "Europe/Moscow"\n')
    with make_feeder(load(workdir), clock) as feeder:
        feeder.refresh()
        items = {i.title[:20]: i for i in feeder.items(limit=50)}
        june = items["On June 6, 2024, in "]
        assert june.date_source is DateSource.TEXT
        assert june.published.isoformat() == "2024-06-05T21:00:00+00:00"
        assert feeder.site.day_of(june.published).isoformat() == "2024-06-06"
    page = workdir / "feeds" / "items" / f"{june.key}.html"
    assert "2024-06-06 (date taken from the text)" in page.read_text(encoding="utf-8")


def test_changing_the_timezone_redates_every_dated_item(load, workdir, clock) -> None:
    with make_feeder(load(workdir), clock) as feeder:
        feeder.refresh()
    configure(workdir, 'timezone = "Asia/Almaty"\n')
    with make_feeder(load(workdir), clock) as feeder:
        summary = feeder.refresh()
        # every item dated by its page, its text or its story
        assert summary.items_redated == 15 and summary.files_scanned == 0
        items = feeder.items(limit=50)
        nato_first = feeder.items(topic="nato", limit=50)
    dated = [i for i in items if i.date_source is not DateSource.FIRST_SEEN]
    assert {i.published.astimezone(feeder.site.zone).time().isoformat() for i in dated} == {
        "00:00:00"
    }
    assert all(i.updated == i.published for i in dated)
    # Topic feeds sort on a copy of the date: it moved too.
    assert [i.key for i in nato_first] == [
        i.key for i in sorted(nato_first, key=lambda i: (i.published, i.key), reverse=True)
    ]


def test_bad_files_are_reported_and_the_rest_is_ingested(feeder: Feeder, settings) -> None:
    folder = settings.sources[0].path
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" * 10)
    (folder / "latin1.txt").write_bytes(
        "12.12.2024\n\nCaf\xe9 summit in Minsk.\n".encode("latin-1")
    )
    (folder / "controls.txt").write_bytes(
        b"\xef\xbb\xbf13.12.2024\r\n\r\nA \x07bell\x1b rang in Minsk.\r\n"
    )
    (folder / "baddate.txt").write_bytes(b"31.02.2024\n\nA day that never was, in Minsk.\n")
    summary = feeder.refresh()
    assert summary.ok and summary.files_failed == 0 and summary.files_scanned == 10
    assert any("binary.txt" in w and "binary data" in w for w in summary.warnings)
    assert any("empty.txt" in w for w in summary.warnings)
    assert any("latin1.txt" in w and "UTF-8" in w for w in summary.warnings)
    assert any("baddate.txt" in w and "31.02.2024" in w for w in summary.warnings)
    titles = {i.title for i in feeder.items(limit=50)}
    assert feeder.store.item_count() == 17 + 3
    assert {"Caf\ufffd summit in Minsk.", "A bell rang in Minsk."} <= titles
    assert (settings.feeds_dir / "all.atom").exists()
    # Skipped files are remembered: not read again until they change.
    again = feeder.refresh()
    assert (again.files_scanned, again.files_unchanged, again.warnings) == (0, 10, [])


def test_missing_source_folder_is_an_error_naming_it_and_other_sources_still_run(
    load, workdir: Path, clock: ManualClock
) -> None:
    configure(workdir, '[[sources]]\nname = "gone"\npath = "nowhere"\n')
    with make_feeder(load(workdir), clock) as feeder:
        summary = feeder.refresh()
        assert feeder.store.item_count() == 17
    assert summary.errors == [f"source 'gone': folder {workdir / 'nowhere'} does not exist"]


def test_two_files_disagreeing_about_one_item_warn_and_keep_the_last(
    feeder: Feeder, settings
) -> None:
    folder = settings.sources[0].path
    (folder / "a.txt").write_text("02.12.2024\n\nSame item. First wording.\n", encoding="utf-8")
    (folder / "b.txt").write_text("02.12.2024\n\nSame item. Second wording.\n", encoding="utf-8")
    summary = feeder.refresh()
    assert any("b.txt" in w and "different text in" in w and "a.txt" in w for w in summary.warnings)
    (kept,) = [i for i in feeder.items(limit=50) if i.title == "Same item."]
    assert kept.blocks[0].text == "Same item. Second wording."


def test_a_disagreement_across_transactions_still_names_both_files(
    feeder: Feeder, settings
) -> None:
    folder = settings.sources[0].path
    (folder / "a.txt").write_text("02.12.2024\n\nSame item. First wording.\n", encoding="utf-8")
    (folder / "b.txt").write_text("02.12.2024\n\nSame item. Second wording.\n", encoding="utf-8")
    summary = feeder.refresh(limits=RefreshLimits(files_per_transaction=1))
    (warning,) = [w for w in summary.warnings if "different text in" in w]
    assert (
        "b.txt" in warning.split(":")[0] and warning.split("different text in ")[1][:5] == "a.txt"
    )
    (kept,) = [i for i in feeder.items(limit=50) if i.title == "Same item."]
    assert kept.blocks[0].text == "Same item. Second wording."


def test_an_item_edited_since_the_last_refresh_is_no_disagreement(
    feeder: Feeder, settings, clock
) -> None:
    page = settings.sources[0].path / "a.txt"
    page.write_text("02.12.2024\n\nSame item. First wording.\n", encoding="utf-8")
    feeder.refresh()
    clock.advance(hours=1)
    page.write_text("02.12.2024\n\nSame item. Second wording.\n", encoding="utf-8")
    summary = feeder.refresh()
    assert summary.items_updated == 1
    assert not [w for w in summary.warnings if "different text in" in w]


def test_failed_refresh_leaves_the_database_as_it_was(feeder: Feeder) -> None:
    feeder.refresh()
    with feeder.store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM items")
        conn.exec_driver_sql("DELETE FROM source_files")
        # A real database failure partway through the ingest: the 10th item insert aborts.
        for statement in FAIL_TENTH_INSERT[conn.dialect.name]:
            conn.exec_driver_sql(statement)
    before = table_rows(feeder)
    with pytest.raises(StoreError, match="disk on fire"):
        feeder.refresh()
    assert table_rows(feeder) == before
    with feeder.store.engine.begin() as conn:
        conn.exec_driver_sql(
            "DROP TRIGGER boom ON items"
            if conn.dialect.name == "postgresql"
            else "DROP TRIGGER boom"
        )
    assert feeder.refresh().items_new == 17


FAIL_TENTH_INSERT = {
    "sqlite": [
        "CREATE TRIGGER boom BEFORE INSERT ON items WHEN (SELECT count(*) FROM items) >= 9 "
        "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF (SELECT count(*) FROM items) >= 9 THEN RAISE EXCEPTION 'disk on fire'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER boom BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION boom()",
    ],
}


def test_changed_topic_rules_retag_every_item(load, workdir, clock) -> None:
    with make_feeder(load(workdir), clock) as feeder:
        feeder.refresh()
    configure(workdir, '[topics.bereg]\ntitle = "Bereg range"\nkeywords = ["Bereg"]\n')
    with make_feeder(load(workdir), clock) as feeder:
        summary = feeder.refresh()
        assert summary.items_retagged == 17 and summary.files_scanned == 0
        assert [t.items for t in feeder.topics()] == [1]
    assert not (workdir / "feeds" / "nato.atom").exists()  # feeds of removed topics go
    assert (workdir / "feeds" / "bereg.atom").exists()


@pytest.mark.parametrize(
    "change",
    [
        'ignore = ["Bereg", "training range"]\n',
        "min_score = 10\n",
        'exclude_items = ["7cfe4689b594deadb6512441"]\n',
    ],
    ids=["ignore", "min_score", "exclude_items"],
)
def test_each_relevance_setting_retags_stored_items(load, workdir, clock, change: str) -> None:
    rules = '[topics.bereg]\ntitle = "Bereg range"\nkeywords = ["Bereg", "training range"]\n'
    configure(workdir, rules)
    with make_feeder(load(workdir), clock) as feeder:
        feeder.refresh()
        assert [t.items for t in feeder.topics()] == [1]
    configure(workdir, rules + change)
    with make_feeder(load(workdir), clock) as feeder:
        summary = feeder.refresh()
        assert summary.items_retagged == 17 and summary.files_scanned == 0
        assert [t.items for t in feeder.topics()] == [0]


def test_expected_entry_counts_per_topic(feeder: Feeder) -> None:
    feeder.refresh()
    counts = {t.slug: t.items for t in feeder.topics()}
    assert counts == EXPECTED_TOPIC_COUNTS


def test_clock_is_the_only_source_of_now(feeder: Feeder, clock: ManualClock) -> None:
    feeder.refresh()
    assert {i.first_seen for i in feeder.items(limit=50)} == {clock.now}


def test_refreshing_one_source_scans_only_that_source(load, workdir: Path, clock) -> None:
    other = workdir / "more"
    other.mkdir()
    (other / "x.txt").write_text("05.05.2025\n\nA second source's news from Bishkek.\n")
    configure(workdir, '[[sources]]\nname = "more"\npath = "more"\n')
    with make_feeder(load(workdir), clock) as feeder:
        summary = feeder.refresh(sources=["more"])
        assert (summary.files_scanned, summary.items_new) == (1, 1)
        statuses = feeder.source_statuses()
        assert statuses["more"].last_success == clock.now and statuses["seeds"].last_scan is None


def test_a_failing_source_is_recorded_until_it_recovers(load, workdir: Path, clock) -> None:
    configure(workdir, '[[sources]]\nname = "later"\npath = "later"\n')
    with make_feeder(load(workdir), clock) as feeder:
        feeder.refresh()
        feeder.refresh()
        assert feeder.source_statuses()["later"].failures == 2
        (workdir / "later").mkdir()
        feeder.refresh()
        status = feeder.source_statuses()["later"]
    assert (status.failures, status.last_error, status.last_success) == (0, None, clock.now)


def test_a_source_another_worker_is_refreshing_is_waited_for_then_given_up_clearly(
    feeder: Feeder, clock: ManualClock
) -> None:
    later = clock.now + timedelta(minutes=5)
    assert feeder.store.claim_sources(["seeds"], "other-worker", clock.now, later, every=True)
    with pytest.raises(LockBusyError, match="another feeder worker is refreshing seeds"):
        feeder.refresh(lock_timeout=0.2)
    skipped = feeder.refresh(wait_for_sources=False)  # the scheduler's way: skip it
    assert skipped.sources_skipped == ["seeds"] and skipped.files_scanned == 0
    feeder.store.release_sources(["seeds"], "other-worker")
    assert feeder.refresh().items_new == 17
    assert feeder.store.leases()["seeds"].holder == feeder.worker  # the last to scan it


def test_a_crashed_workers_lease_is_taken_over_once_it_expires(
    feeder: Feeder, clock: ManualClock
) -> None:
    soon = clock.now + timedelta(seconds=1)
    feeder.store.claim_sources(["seeds"], "crashed-worker", clock.now, soon, every=True)
    assert feeder.refresh(wait_for_sources=False).sources_skipped == ["seeds"]
    clock.advance(seconds=2)
    assert feeder.refresh(wait_for_sources=False).items_new == 17


def test_the_lease_of_a_killed_refresh_on_this_host_is_not_waited_out(
    feeder: Feeder, clock: ManualClock
) -> None:
    ended = _ended_pid()
    dead = worker_name().replace(f":{os.getpid()}:", f":{ended}:", 1)
    elsewhere = f"{socket.gethostname()}:{ended}:another-machine:abc123"  # same name, pid
    alive = worker_name()  # this process, another refresh
    later = clock.now + timedelta(minutes=5)
    feeder.store.claim_sources(["seeds"], alive, clock.now, later, every=True)
    with pytest.raises(LockBusyError):  # a live worker's lease is respected
        feeder.refresh(lock_timeout=0.2)
    feeder.store.release_sources(["seeds"], alive)
    feeder.store.claim_sources(["seeds"], elsewhere, clock.now, later, every=True)
    with pytest.raises(LockBusyError):  # another machine's pids are not judged
        feeder.refresh(lock_timeout=0.2)
    feeder.store.release_sources(["seeds"], elsewhere)
    feeder.store.claim_sources(["seeds"], dead, clock.now, later, every=True)
    assert feeder.refresh(lock_timeout=0.2).items_new == 17


def _ended_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_progress_callback_that_raises_cancels_before_anything_is_written(feeder: Feeder) -> None:
    class Stop(Exception):
        pass

    def stop(done: int, total: int, path: str) -> None:
        raise Stop

    with pytest.raises(Stop):
        feeder.refresh(on_progress=stop)
    assert feeder.store.item_count() == 0 and feeder.store.file_states("seeds") == {}


def test_a_new_item_rewrites_only_the_feeds_it_appears_in(feeder: Feeder, settings, clock) -> None:
    feeder.refresh()
    before = snapshot(settings.feeds_dir)
    (settings.sources[0].path / "005_new.txt").write_text(
        "05.01.2025\n\nNATO observers visited Minsk.\n", encoding="utf-8"
    )
    clock.advance(hours=1)
    summary = feeder.refresh()
    after = snapshot(settings.feeds_dir)
    views = ("atom", "rss", "json", "html")
    rewritten = {
        name
        for name in before
        if "/" not in name and name.split(".")[-1] in views
        if name not in ("index.html", ".feeder-published.json")
        if after[name] != before[name]
    }
    expected = {f"{slug}.{view}" for slug in ("all", "nato", "belarus") for view in views}
    assert rewritten == expected and summary.feeds_written == 12
    assert summary.feeds_rendered == 12  # the other 13 feeds were not even rendered
    assert summary.changed_feeds == ["all", "nato", "belarus"]
    pages = {
        name for name in after if name.startswith("items/") and after[name] != before.get(name)
    }
    assert len(pages) == 1  # one new item page; the other 17 were not rendered


def test_more_changed_items_than_listed_still_get_their_pages(
    feeder: Feeder, settings, clock
) -> None:
    limits = RefreshLimits(keys_listed=2)  # the set is dropped past 2 keys
    feeder.refresh(limits=limits)
    before = snapshot(settings.feeds_dir)
    (settings.sources[0].path / "005_new.txt").write_text(
        "05.01.2025\n\nNATO observers visited Minsk.\n\n"
        "06.01.2025\n\nA second new item.\n\n07.01.2025\n\nA third new item.\n",
        encoding="utf-8",
    )
    clock.advance(hours=1)
    summary = feeder.refresh(limits=limits)
    after = snapshot(settings.feeds_dir)
    new_pages = {name for name in after if name.startswith("items/") and name not in before}
    assert len(new_pages) == 3 and summary.items_new == 3
    assert summary.feeds_rendered < 64  # the feeds are still chosen by what changed


def test_new_output_settings_render_everything_again(load, workdir: Path, clock) -> None:
    with make_feeder(load(workdir), clock) as feeder:
        assert feeder.refresh().feeds_rendered == 64
        assert feeder.refresh().feeds_rendered == 0
    configure(workdir, 'title = "Renamed"\n')
    with make_feeder(load(workdir), clock) as feeder:
        summary = feeder.refresh()
    assert summary.feeds_rendered == 64 and summary.feeds_written == 64
    assert b"Renamed" in (workdir / "feeds" / "nato.atom").read_bytes()


def test_a_refresh_that_lost_its_lease_stops_without_writing(
    load, workdir: Path, clock: ManualClock
) -> None:
    configure(workdir, 'source_lease = "1s"\n')
    with make_feeder(load(workdir), clock) as feeder:

        def stall(done: int, total: int, path: str) -> None:
            if done == 2:  # stalled past the lease: another worker takes the source over
                time.sleep(0.5)
                later = clock.now + timedelta(seconds=5)
                feeder.store.claim_sources(["seeds"], "other", later, later, every=True)

        with pytest.raises(LeaseLost, match="another worker took over seeds"):
            feeder.refresh(on_progress=stall)
        assert feeder.store.item_count() == 0
        assert feeder.store.leases()["seeds"].holder == "other"  # not released by the loser


def test_a_worker_whose_sources_others_scanned_still_writes_its_feeds(
    feeder: Feeder, settings, load, clock: ManualClock, tmp_path: Path
) -> None:
    feeder.refresh()
    elsewhere = tmp_path / "other-machine"
    elsewhere.mkdir()
    other_settings = settings.model_copy(update={"feeds_dir": elsewhere / "feeds"})
    with make_feeder(other_settings, clock) as other:
        later = clock.now + timedelta(minutes=5)
        feeder.store.claim_sources(["seeds"], "busy-worker", clock.now, later, every=True)
        summary = other.refresh(wait_for_sources=False)
        assert summary.sources_skipped == ["seeds"] and summary.feeds_written == 64
        for name in ("all.atom", "nato.rss"):
            assert (elsewhere / "feeds" / name).read_bytes() == (
                settings.feeds_dir / name
            ).read_bytes()
        assert other.refresh(wait_for_sources=False).feeds_written == 0  # caught up


class Crash(Exception):
    """Stands in for a process dying mid-refresh."""


def crash_at_file(number: int) -> Callable[[int, int, str], None]:
    """A progress callback that crashes the refresh as it reaches file `number`."""

    def progress(done: int, total: int, path: str) -> None:
        if done == number:
            raise Crash

    return progress


def test_an_interrupted_refresh_keeps_its_stored_batches_and_the_next_one_finishes(
    feeder: Feeder,
) -> None:
    limits = RefreshLimits(files_per_transaction=2)
    with pytest.raises(Crash):
        feeder.refresh(on_progress=crash_at_file(4), limits=limits)
    stored = feeder.store.file_states("seeds")
    assert len(stored) == 2  # the first batch of two files, with its items
    summary = feeder.refresh(limits=limits)
    assert (summary.files_scanned, summary.files_unchanged) == (3, 2)
    assert feeder.store.item_count() == 17
    assert sorted(feeder.store.file_states("seeds")) == sorted(p.name for p in SEED_FILES)


def test_a_refresh_judging_in_workers_and_interrupted_keeps_what_it_stored_before(
    feeder: Feeder,
) -> None:
    # Judged in workers, the next chunk is read while one is stored: a crash reading
    # file 5 finds the first chunk stored, the second (files 3-4) read but not stored.
    limits = RefreshLimits(files_per_transaction=2, judging_workers=2, judging_from_items=1)
    with pytest.raises(Crash):
        feeder.refresh(on_progress=crash_at_file(5), limits=limits)
    assert len(feeder.store.file_states("seeds")) == 2
    summary = feeder.refresh(limits=limits)
    assert (summary.files_scanned, summary.files_unchanged) == (3, 2)
    assert feeder.store.item_count() == 17


def test_an_unchanged_folder_is_rescanned_without_reading_its_file_states(
    feeder: Feeder,
) -> None:
    feeder.refresh()
    with feeder.store.statements() as statements:
        summary = feeder.refresh()
    assert (summary.files_unchanged, summary.files_scanned) == (5, 0)
    reads_of_states = [s for s in statements if "source_files.path" in s]
    assert reads_of_states == []  # only a count of them, beside the recorded listing


def test_a_change_of_size_or_mtime_alone_is_seen_by_the_listing(feeder: Feeder, settings) -> None:
    feeder.refresh()
    path = settings.sources[0].path / seed("004").name
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1))  # same bytes, 1 ns later
    summary = feeder.refresh()
    assert (summary.files_unchanged, summary.files_scanned) == (5, 0)  # read, same hash
    assert feeder.store.file_states("seeds")[path.name].mtime_ns == info.st_mtime_ns + 1


def test_a_file_that_could_not_be_read_is_tried_again_on_every_rescan(
    feeder: Feeder, settings
) -> None:
    # Reading /proc/self/mem from its start fails (EIO) even for root, which file modes
    # would not stop: a stand-in for a file the disk cannot give back.
    (settings.sources[0].path / "broken.txt").symlink_to("/proc/self/mem")
    for _ in range(2):
        summary = feeder.refresh()
        assert summary.files_failed == 1
        assert any("broken.txt: cannot read" in error for error in summary.errors)
    (settings.sources[0].path / "broken.txt").unlink()
    (settings.sources[0].path / "broken.txt").write_text("05.01.2025\n\nIt came back.\n")
    summary = feeder.refresh()
    assert (summary.files_failed, summary.files_scanned, summary.items_new) == (0, 1, 1)


def test_an_interrupted_refresh_records_no_listing_so_the_next_one_plans_file_by_file(
    feeder: Feeder, settings
) -> None:
    feeder.refresh()
    (settings.sources[0].path / "005_new.txt").write_text("05.01.2025\n\nOne more.\n")
    (settings.sources[0].path / "006_new.txt").write_text("06.01.2025\n\nAnd another.\n")
    limits = RefreshLimits(files_per_transaction=1)
    with pytest.raises(Crash):
        feeder.refresh(on_progress=crash_at_file(2), limits=limits)
    assert feeder.store.meta(["listing:seeds"]) == {}  # dropped with the first new file
    summary = feeder.refresh(limits=limits)
    assert (summary.files_scanned, summary.files_unchanged) == (1, 6)
    assert "listing:seeds" in feeder.store.meta(["listing:seeds"])
