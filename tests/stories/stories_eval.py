"""Story grouping and dating measured against labels.toml: a real `feeder refresh` of
the labelled captures into a fresh database, then precision and recall over every
pair of labelled items (same story or not), and how many items got their true date.

`python tests/stories/stories_eval.py [--split tune] [--errors]` prints the figures;
test_stories_quality.py asserts the bar.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from feeder import load_settings, make_feeder

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LABELS = HERE / "labels.toml"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # after every labelled date


@dataclass(frozen=True)
class Label:
    capture: str
    key: str
    title: str
    split: str
    story: str
    day: date | None
    date_from: str


@dataclass(frozen=True)
class Stored:
    """What feeder made of an item: its story's lead, its date and where it came from."""

    lead: str
    day: date | None
    date_source: str


@dataclass
class Result:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    dated: int = 0  # items with a true date that got it
    to_date: int = 0  # items with a true date
    undated_right: int = 0  # items with none that stayed undated
    undated: int = 0
    # Items whose own page or text dates them ("explicit", "text", "context").
    own_dated: int = 0
    own_to_date: int = 0
    # Items dated by their story that feeder put with a report of it dated the same.
    story_dated: int = 0
    story_to_date: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_labels(path: Path = LABELS) -> list[Label]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Label(
            e["capture"], e["key"], e["title"], e["split"], e["story"],
            date.fromisoformat(e["date"]) if "date" in e else None, e["date_from"],
        )
        for e in data.get("item", [])
    ]  # fmt: skip


def refresh_captures(labels: list[Label], work: Path) -> dict[str, Stored]:
    """A fresh `feeder refresh` of every labelled capture; what it stored, by key."""
    folder = work / "captures"
    folder.mkdir(parents=True)
    for capture in sorted({label.capture for label in labels}):
        source = REPO / capture
        # Seeds first, as a user's folder would hold them, then the other captures.
        prefix = "0" if capture.startswith("seeds/") else "1"
        shutil.copyfile(source, folder / f"{prefix}_{source.name}")
    (work / "feeder.toml").write_text('[[sources]]\nname = "captures"\npath = "captures"\n')
    with make_feeder(load_settings(cwd=work), clock=lambda: NOW) as feeder:
        summary = feeder.refresh()
        assert summary.ok, summary.errors
        return {
            item.key: Stored(item.story or item.key, item.published.date()
                             if item.date_source.value != "first-seen" else None,
                             item.date_source.value)
            for item in feeder.store.iter_items()
        }  # fmt: skip


def evaluate(
    labels: list[Label], stored: dict[str, Stored], everyone: list[Label] | None = None
) -> Result:
    """Pairs of `labels`, and their dates (`everyone`: all the labels, whose dated
    reports may date a story's other reports)."""
    everyone = everyone if everyone is not None else labels
    result = Result()
    for one, other in itertools.combinations(labels, 2):
        truth = one.story == other.story
        said = stored[one.key].lead == stored[other.key].lead
        if said and truth:
            result.tp += 1
        elif said:
            result.fp += 1
            result.errors.append(f"fp {one.key[:8]} {other.key[:8]}: {one.title[:40]!r} / "
                                 f"{other.title[:40]!r}")  # fmt: skip
        elif truth:
            result.fn += 1
            result.errors.append(f"fn {one.key[:8]} {other.key[:8]}: {one.title[:40]!r} / "
                                 f"{other.title[:40]!r} ({one.story})")  # fmt: skip
    for label in labels:
        got = stored[label.key]
        if label.day is None:
            result.undated += 1
            result.undated_right += got.day is None
            if got.day is not None:
                result.errors.append(f"date {label.key[:8]} {label.title[:40]!r}: none "
                                     f"expected, got {got.day} ({got.date_source})")  # fmt: skip
        else:
            result.to_date += 1
            result.dated += got.day == label.day
            if label.date_from in ("explicit", "text", "context"):
                result.own_to_date += 1
                result.own_dated += got.day == label.day
            elif label.date_from == "story" and any(
                other.story == label.story and other.key != label.key
                and other.date_from != "story" and other.day == label.day
                and stored[other.key].lead == got.lead
                for other in everyone
            ):  # fmt: skip
                result.story_to_date += 1
                result.story_dated += got.day == label.day
            if got.day != label.day:
                result.errors.append(f"date {label.key[:8]} {label.title[:40]!r}: {label.day} "
                                     f"({label.date_from}) expected, got {got.day} "
                                     f"({got.date_source})")  # fmt: skip
    return result


def measure(split: str | None = None) -> Result:
    labels = load_labels()
    with tempfile.TemporaryDirectory() as work:
        stored = refresh_captures(labels, Path(work))
    chosen = [label for label in labels if split is None or label.split == split]
    return evaluate(chosen, stored, labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", help="only the labels of this split")
    parser.add_argument("--errors", action="store_true", help="list the wrong pairs and dates")
    args = parser.parse_args()
    result = measure(args.split)
    print(f"story pairs: precision {result.precision:.2f}, recall {result.recall:.2f} "
          f"(tp {result.tp}, fp {result.fp}, fn {result.fn})")  # fmt: skip
    print(f"dates: {result.dated}/{result.to_date} right, "
          f"{result.undated_right}/{result.undated} left undated; own dates "
          f"{result.own_dated}/{result.own_to_date}, story dates where grouped "
          f"{result.story_dated}/{result.story_to_date}")  # fmt: skip
    if args.errors:
        print("\n".join(result.errors))


if __name__ == "__main__":
    main()
