"""Story grouping and dating against the human labels of labels.toml, through a real
refresh of the labelled captures: the quality bar of issue 16, and checks that the
evaluation set is what it claims to be."""

from __future__ import annotations

import itertools
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from stories_eval import (
    LABELS,
    REPO,
    Label,
    Result,
    Stored,
    evaluate,
    load_labels,
    refresh_captures,
)

from feeder.parse import SeedParser

BAR = 0.90
# The held-out set (z) was written blind after tuning on the others: grouping is
# measured on it as on data nobody tuned for. Its recall is far below the bar (first
# measured at precision 0.95, recall 0.45; the README says so); these floors catch a
# collapse, not a success.
HELD_OUT_PRECISION, HELD_OUT_RECALL = 0.85, 0.40


@pytest.fixture(scope="module")
def labels() -> list[Label]:
    return load_labels()


@pytest.fixture(scope="module")
def stored(labels: list[Label]) -> dict[str, Stored]:
    with tempfile.TemporaryDirectory() as work:
        return refresh_captures(labels, Path(work))


def _split(labels: list[Label], stored: dict[str, Stored], split: str | None) -> Result:
    chosen = [label for label in labels if split is None or label.split == split]
    return evaluate(chosen, stored, labels)


def test_grouping_reaches_090_precision_and_recall_on_the_sets_tuned_before_y(
    labels, stored
) -> None:
    result = _split([label for label in labels if not _in_set(label, "y")], stored, "tune")
    assert result.precision >= BAR, f"precision {result.precision:.3f}: {result.errors[:5]}"
    assert result.recall >= BAR, f"recall {result.recall:.3f}: {result.errors[:5]}"


def test_grouping_on_set_y_tuned_after_its_blind_measurement(labels, stored) -> None:
    # Set y was held out, measured blind (precision 0.73, recall 0.49), then tuned on;
    # its recall is still below the bar (0.56; the README says so): a floor, not the bar.
    result = _split([label for label in labels if _in_set(label, "y")], stored, None)
    assert result.precision >= BAR, f"precision {result.precision:.3f}: {result.errors[:5]}"
    assert result.recall >= 0.50, f"recall {result.recall:.3f}: {result.errors[:5]}"


def _in_set(label: Label, name: str) -> bool:
    return Path(label.capture).name.startswith(name)


def test_grouping_holds_up_on_the_held_out_set(labels, stored) -> None:
    result = _split(labels, stored, "test")
    assert result.precision >= HELD_OUT_PRECISION, f"precision {result.precision:.3f}"
    assert result.recall >= HELD_OUT_RECALL, f"recall {result.recall:.3f}"


def test_every_item_gets_the_date_its_page_or_text_gives(labels, stored) -> None:
    result = _split(labels, stored, None)
    wrong = [
        e for e in result.errors if e.startswith("date") and "(story)" not in e.split("expected")[0]
    ]
    assert result.own_dated == result.own_to_date, wrong
    assert result.own_to_date >= 150


def test_every_report_grouped_with_its_story_gets_the_storys_date(labels, stored) -> None:
    result = _split(labels, stored, None)
    assert result.story_dated == result.story_to_date
    assert result.story_to_date >= 20


def test_items_with_no_date_anywhere_stay_undated(labels, stored) -> None:
    result = _split(labels, stored, "tune")
    assert result.undated_right == result.undated >= 5
    # Held out: an undated item wrongly put in a dated story takes its date (first
    # measured: 6 of 8 stay undated); this floor catches a collapse.
    held_out = _split(labels, stored, "test")
    assert held_out.undated_right >= 0.7 * held_out.undated


def test_the_seeds_000_and_001_are_one_story_and_the_interfax_article_is_of_2020(stored) -> None:
    interview, rewrite = stored["886412b4004c61f4c4455582"], stored["a3aa83280a40a1d4e79741f6"]
    assert interview.lead == rewrite.lead == "886412b4004c61f4c4455582"
    assert str(rewrite.day) == "2023-11-15"
    assert str(stored["b47343504726b69f48396f91"].day) == "2020-07-16"


def test_the_labelling_rules_open_the_label_file() -> None:
    head = LABELS.read_text(encoding="utf-8")[:1200]
    assert "THE LABELLING RULES" in head and "written before any tuning" in head


def test_the_set_holds_the_seeds_groups_traps_and_text_dated_items(labels) -> None:
    seed_keys = {
        item.key
        for path in sorted((REPO / "seeds").glob("*.txt"))
        for item in SeedParser().parse_bytes(path.read_bytes()).items
    }
    keys = [label.key for label in labels]
    assert seed_keys <= set(keys) and len(keys) == len(set(keys)), "an item is labelled twice"
    sizes = Counter(label.story for label in labels)
    assert sum(size > 1 for size in sizes.values()) >= 6  # story groups
    # Traps: different stories sharing a day (same official, one city, two meetings).
    same_day_apart = sum(
        1 for a, b in itertools.combinations(labels, 2)
        if a.day and a.day == b.day and a.story != b.story
    )  # fmt: skip
    assert same_day_apart >= 10
    undated_by_text = [label for label in labels if label.date_from in ("text", "context")]
    assert len(undated_by_text) >= 6
    assert {label.split for label in labels} == {"tune", "test"}


def test_every_label_names_an_item_of_its_capture(labels) -> None:
    for capture, group in itertools.groupby(labels, key=lambda label: label.capture):
        parsed = {
            i.key: i.title for i in SeedParser().parse_bytes((REPO / capture).read_bytes()).items
        }
        for label in group:
            assert label.key in parsed, f"{capture}: no item {label.key}"
            assert parsed[label.key].startswith(label.title.rstrip()), label.key
