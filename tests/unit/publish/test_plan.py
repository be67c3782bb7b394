"""Whether a publish renders only what changed or everything: the pure decision and
the marker it reads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from feeder.publish.plan import (
    MARKER,
    FeedChanges,
    Marker,
    needs_catch_up,
    plan_publish,
    read_marker,
    write_marker,
)

BEFORE = {"all": 3, "nato": 2}
AFTER = {"all": 4, "nato": 2}
WRITTEN = Marker("fp", BEFORE, "2026-01-01T00:00:00+00:00", "http://localhost/")


def test_a_refresh_from_the_published_state_renders_only_what_it_changed() -> None:
    plan = plan_publish(WRITTEN, "fp", AFTER, FeedChanges(BEFORE, AFTER, {"k1"}), True)
    assert plan.feeds == {"all"} and plan.items == {"k1"}
    assert not plan.new_output and plan.touched == {"k1"} and not plan.nothing


def test_a_refresh_that_changed_nothing_renders_nothing() -> None:
    plan = plan_publish(WRITTEN, "fp", BEFORE, FeedChanges(BEFORE, BEFORE, set()), True)
    assert plan.nothing


def test_too_many_changed_items_to_list_render_every_item_page_but_only_changed_feeds() -> None:
    plan = plan_publish(WRITTEN, "fp", AFTER, FeedChanges(BEFORE, AFTER, None), True)
    assert plan.feeds == {"all"} and plan.items is None and not plan.nothing


def test_everything_is_rendered_when_the_files_lag_or_the_output_changed() -> None:
    changes = FeedChanges(BEFORE, AFTER, {"k1"})
    first_run = plan_publish(None, "fp", AFTER, changes, False)
    assert (first_run.feeds, first_run.items, first_run.new_output) == (None, None, True)
    new_settings = plan_publish(WRITTEN, "other", AFTER, changes, True)
    assert (new_settings.feeds, new_settings.new_output) == (None, True)
    other_worker = plan_publish(WRITTEN, "fp", {"all": 5, "nato": 2}, changes, True)
    assert (other_worker.feeds, other_worker.new_output) == (None, False)
    behind = plan_publish(Marker("fp", {"all": 1}), "fp", AFTER, changes, True)
    assert behind.feeds is None
    removed_file = plan_publish(WRITTEN, "fp", AFTER, changes, files_present=False)
    assert removed_file.feeds is None
    unknown = plan_publish(WRITTEN, "fp", AFTER, None, True)  # no changes known: everything
    assert (unknown.feeds, unknown.items, unknown.touched) == (None, None, frozenset())


def test_a_worker_that_scanned_nothing_catches_up_only_when_its_files_lag() -> None:
    assert not needs_catch_up(WRITTEN, "fp", BEFORE)
    assert needs_catch_up(WRITTEN, "fp", AFTER)
    assert needs_catch_up(WRITTEN, "other", BEFORE)
    assert needs_catch_up(None, "fp", BEFORE)


def test_the_marker_is_read_as_written_and_a_damaged_one_is_no_marker(tmp_path: Path) -> None:
    assert read_marker(tmp_path) is None
    through = datetime(2026, 1, 1, tzinfo=UTC)
    write_marker(tmp_path, "fp", BEFORE, through, "http://localhost/")
    assert read_marker(tmp_path) == WRITTEN
    (tmp_path / MARKER).write_text("[1, 2]")
    assert read_marker(tmp_path) is None
    (tmp_path / MARKER).write_text("{not json")
    assert read_marker(tmp_path) is None
    (tmp_path / MARKER).write_text('{"settings": "fp"}')  # an older marker: fields missing
    assert read_marker(tmp_path) == Marker("fp")
