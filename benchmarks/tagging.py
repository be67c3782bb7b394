"""Topic tagging cost per item: the relevance judgement of every item of a corpus,
against the rule it replaced (a keyword occurs anywhere, no `exclude` phrase does),
timed in this process on the same parsed items."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.figures import Figure
from feeder.config import Settings
from feeder.model import ParsedItem
from feeder.parse import SeedParser
from feeder.topics import Topic, TopicMatcher
from feeder.topics.rules import PhraseSet, keyword_pattern

_TARGET_RATIO = 2.0  # issue 15: at most twice the cost of the occurrence rule


def _alternation(phrases: Sequence[str]) -> re.Pattern[str] | None:
    patterns = [keyword_pattern(phrase.casefold()) for phrase in phrases]
    return re.compile("|".join(patterns)) if patterns else None


def occurrence_tagger(topics: Sequence[Topic]) -> Callable[[ParsedItem], tuple[str, ...]]:
    """The tagging before relevance scoring, as it ran (feeder 0.1.0's TopicMatcher):
    the whole text casefolded, a substring test per topic, then one alternation of its
    keywords and one of its exclude phrases."""
    rules = [
        (t.slug, PhraseSet(t.keywords).words, _alternation(t.keywords), _alternation(t.exclude))
        for t in topics
    ]

    def tag(item: ParsedItem) -> tuple[str, ...]:
        folded = "\n".join([item.title, *(b.text for b in item.blocks)]).casefold()
        return tuple(
            slug
            for slug, words, include, exclude in rules
            if include is not None
            and any(word in folded for word in words)
            and include.search(folded)
            and not (exclude is not None and exclude.search(folded))
        )

    return tag


def _corpus_items(folder: Path) -> list[ParsedItem]:
    parser = SeedParser()
    unique: dict[str, ParsedItem] = {}
    for path in sorted(folder.glob("*.txt")):
        for item in parser.parse_bytes(path.read_bytes()).items:
            unique.setdefault(item.key, item)
    return list(unique.values())


def _seconds(call: Callable[[ParsedItem], object], items: list[ParsedItem]) -> float:
    started = time.perf_counter()
    for item in items:
        call(item)
    return time.perf_counter() - started


def measure_tagging(settings: Settings, corpus: Path, runs: int) -> Figure:
    """µs per item of `TopicMatcher.tags` over the corpus, against the occurrence rule."""
    items = _corpus_items(corpus)
    topics = settings.topic_list()
    matcher = TopicMatcher(topics)
    occurrence = occurrence_tagger(topics)

    def judged(item: ParsedItem) -> object:
        return matcher.tags(item.key, item.title, item.blocks)

    ours, baseline = [], []
    for _ in range(runs):  # interleaved, so both see the same machine
        ours.append(_seconds(judged, items) / len(items) * 1e6)
        baseline.append(_seconds(occurrence, items) / len(items) * 1e6)
    tagged = sum(bool(judged(item)) for item in items)
    figure = Figure(
        "topic tagging per item", "us/item", ours, baseline,
        target=f"<= {_TARGET_RATIO:g} x the occurrence rule",
        notes={"items": len(items), "items_with_a_topic": tagged},
    )  # fmt: skip
    figure.ratio = figure.median / (figure.baseline or 1)
    figure.met = figure.ratio <= _TARGET_RATIO
    return figure
