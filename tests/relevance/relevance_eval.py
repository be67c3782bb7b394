"""Topic tagging measured against the labels of labels.toml: precision and recall over
every (item, topic) pair, overall, per split and per topic.

`python tests/relevance/relevance_eval.py [--split tune] [--errors]` prints the figures
(and, with --errors, each wrong pair with feeder's reason); test_relevance_quality.py
asserts the bar. Tagging uses the shipped default topics, as a new user gets them.
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.tagging import occurrence_tagger
from feeder.config import load_settings
from feeder.model import ParsedItem
from feeder.parse import SeedParser
from feeder.topics import TopicMatcher

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LABELS = HERE / "labels.toml"


@dataclass(frozen=True)
class Label:
    capture: str
    key: str
    title: str
    split: str
    topics: frozenset[str]
    note: str = ""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Evaluation:
    overall: Counts = field(default_factory=Counts)
    by_split: dict[str, Counts] = field(default_factory=dict)
    by_topic: dict[str, Counts] = field(default_factory=dict)
    errors: list[tuple[Label, str, str, str]] = field(
        default_factory=list
    )  # label, topic, kind, why


def load_labels(path: Path = LABELS) -> list[Label]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Label(
            entry["capture"], entry["key"], entry["title"], entry["split"],
            frozenset(entry["topics"]), entry.get("note", ""),
        )
        for entry in data.get("item", [])
    ]  # fmt: skip


def default_matcher() -> TopicMatcher:
    return TopicMatcher(load_settings(cwd=HERE).topic_list())


def labelled_items(labels: Iterable[Label]) -> dict[str, ParsedItem]:
    """The parsed item of every label, by key (KeyError names a label whose item is gone)."""
    parser = SeedParser()
    items: dict[str, ParsedItem] = {}
    for capture in sorted({label.capture for label in labels}):
        for item in parser.parse_bytes((REPO / capture).read_bytes()).items:
            items.setdefault(item.key, item)
    return items


def occurrence_tags(matcher: TopicMatcher, item: ParsedItem) -> dict[str, str]:
    """The rule before relevance scoring, for comparison (see `benchmarks.tagging`)."""
    return dict.fromkeys(occurrence_tagger(matcher.topics)(item), "a keyword occurs")


def evaluate(labels: list[Label], matcher: TopicMatcher, occurrence: bool = False) -> Evaluation:
    items = labelled_items(labels)
    slugs = [topic.slug for topic in matcher.topics]
    result = Evaluation(by_topic={slug: Counts() for slug in slugs})
    for label in labels:
        item = items[label.key]
        if occurrence:
            tags = occurrence_tags(matcher, item)
        else:
            tags = matcher.tags(item.key, item.title, item.blocks)
        for slug in slugs:
            said, truth = slug in tags, slug in label.topics
            if not said and not truth:
                continue
            kind = "tp" if said and truth else "fp" if said else "fn"
            for counts in (
                result.overall,
                result.by_split.setdefault(label.split, Counts()),
                result.by_topic.setdefault(slug, Counts()),
            ):
                setattr(counts, kind, getattr(counts, kind) + 1)
            if kind != "tp":
                why = tags.get(slug) or next(
                    v.why
                    for v in matcher.judge(item.key, item.title, item.blocks)
                    if v.slug == slug
                )
                result.errors.append((label, slug, kind, why))
    return result


def render(result: Evaluation) -> str:
    lines = [f"{'':22} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}"]

    def row(name: str, c: Counts) -> str:
        return f"{name:22} {c.precision:9.2f} {c.recall:7.2f} {c.tp:4} {c.fp:4} {c.fn:4}"

    lines.append(row("all", result.overall))
    lines += [row(f"split {name}", c) for name, c in sorted(result.by_split.items())]
    lines += [row(slug, c) for slug, c in result.by_topic.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", help="only the labels of this split")
    parser.add_argument("--errors", action="store_true", help="list the wrong pairs")
    parser.add_argument("--labels", type=Path, nargs="*", default=[LABELS])
    parser.add_argument(
        "--occurrence", action="store_true", help="measure the old rule: a keyword occurs"
    )
    args = parser.parse_args()
    labels = [label for path in args.labels for label in load_labels(path)]
    if args.split:
        labels = [label for label in labels if label.split == args.split]
    result = evaluate(labels, default_matcher(), args.occurrence)
    print(f"{len(labels)} items")
    print(render(result))
    if args.errors:
        for label, slug, kind, why in result.errors:
            print(f"{kind} {slug:20} {label.key[:8]} {label.title[:50]!r}: {why}")


if __name__ == "__main__":
    main()
