"""Topics: which topics an item is about, and why. Pure functions over text, no I/O.

`rules` holds a topic's phrases, `passages` splits an item into title, lead, headings,
questions and body, `context` (with `patterns` and `enumerations`) finds mentions that
say nothing about the subject (lists, outlet names, venues), and `relevance` scores
what is left against the topic's threshold.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

from feeder.model import Block
from feeder.topics.passages import Field, ItemText, split_passages
from feeder.topics.relevance import Mention, TopicRules, Verdict
from feeder.topics.rules import DEFAULT_MIN_SCORE, Topic, WordIndex, keyword_pattern

__all__ = [
    "DEFAULT_MIN_SCORE",
    "Field",
    "Mention",
    "Topic",
    "TopicMatcher",
    "Verdict",
    "keyword_pattern",
    "rules_fingerprint",
]

# Part of the rules' fingerprint: stored tags and their reasons are recomputed when the
# judging changes (2: text and keywords compared casefolded; 3: relevance scores, not
# mere occurrence; 4: reasons count paragraphs, offsets of the original text).
_MATCHING_VERSION = 4


def rules_fingerprint(topics: Iterable[Topic]) -> str:
    """Changes whenever the rules change, so stored tags can be recomputed."""
    rules = [
        [t.slug, list(t.keywords), list(t.exclude), list(t.ignore), t.min_score,
         sorted(t.include_items), sorted(t.exclude_items)]
        for t in topics
    ]  # fmt: skip
    return hashlib.sha256(json.dumps([_MATCHING_VERSION, rules]).encode()).hexdigest()


class TopicMatcher:
    """Judges items against every configured topic."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self.topics = tuple(topics)
        self._rules = [TopicRules(topic) for topic in self.topics]
        # The longest word of every phrase: which occur decides which topics, and which
        # of their keywords, ignore and exclude phrases, are looked for in an item.
        self._words = WordIndex(
            word
            for rules in self._rules
            for phrases in (rules.keywords, rules.ignore, rules.exclude)
            for word in phrases.words
        )
        self._topics_of: dict[str, list[int]] = {}  # word -> the topics it may match for
        for index, rules in enumerate(self._rules):
            for word in rules.keywords.words:
                self._topics_of.setdefault(word, []).append(index)
        self._listed = {key for t in self.topics for key in (*t.include_items, *t.exclude_items)}

    def judge(self, key: str, title: str, blocks: Iterable[Block]) -> list[Verdict]:
        """Every topic's verdict on the item, in configured order (for `feeder explain`)."""
        return self._judge(key, title, tuple(blocks), every=True)

    def tags(self, key: str, title: str, blocks: Iterable[Block]) -> dict[str, str]:
        """The topics the item is about, each with the line that says why."""
        verdicts = self._judge(key, title, tuple(blocks), every=False)
        return {v.slug: v.why for v in verdicts if v.relevant}

    def match(self, text: str) -> tuple[str, ...]:
        """The topics a bare text is about, judged as a one-paragraph item."""
        return tuple(self.tags("", text, (Block("p", text),)))

    def _judge(self, key: str, title: str, blocks: tuple[Block, ...], every: bool) -> list[Verdict]:
        item = ItemText(split_passages(title, blocks), self._words)
        # A topic none of whose keywords occurs is judged without looking further,
        # unless a listed key or the full explanation asks for its verdict.
        chosen: Iterable[int]
        if every or key in self._listed:
            chosen = range(len(self._rules))
        else:
            topics_of = self._topics_of
            chosen = sorted({i for word in item.present for i in topics_of.get(word, ())})
        return [self._rules[index].judge(key, item, every) for index in chosen]

    @property
    def fingerprint(self) -> str:
        """Changes whenever the rules change, so stored tags can be recomputed."""
        return rules_fingerprint(self.topics)
