"""Topic rules: which topics an item belongs to. Pure functions over text, no I/O."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .model import Block


@dataclass(frozen=True)
class Topic:
    """A topic feed: keywords that pull items in, exclusions that keep them out."""

    slug: str
    title: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()


_MATCHING_VERSION = 2


def keyword_pattern(keyword: str) -> str:
    """Regex for one keyword: whole words, `*` a word-suffix wildcard.

    The first word's letters lead the pattern, and the check that no letter precedes
    them comes after (a lookbehind over them): a pattern opening with a literal lets
    the regex engine skip ahead to candidates, ten times faster on long text than one
    opening with the lookbehind. Raises ValueError for a keyword that cannot be
    matched as words.
    """
    words = keyword.split()
    if not words:
        raise ValueError("empty keyword")
    parts = []
    for word in words:
        stem, star = (word[:-1], True) if word.endswith("*") else (word, False)
        if not stem or "*" in stem:
            raise ValueError(f"{keyword!r}: '*' may only end a word, after at least one letter")
        parts.append((re.escape(stem), r"\w*" if star else ""))
    (first, first_star), rest = parts[0], parts[1:]
    opening = rf"{first}(?<!\w{first}){first_star}"
    return opening + "".join(rf"\s+{stem}{star}" for stem, star in rest) + r"(?!\w)"


def _longest_word(keyword: str) -> str:
    """The keyword's longest literal word, casefolded: text without it cannot match."""
    return max((word.rstrip("*") for word in keyword.split()), key=len).casefold()


def _compile(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for `terms`, to search casefolded text: comparing folded text
    exactly is several times faster than a case-insensitive search."""
    patterns = [keyword_pattern(term.casefold()) for term in terms]
    return re.compile("|".join(patterns)) if patterns else None


class TopicMatcher:
    """Tags text with the topics whose keywords it contains and whose exclusions it lacks."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self.topics = tuple(topics)
        self._rules = [
            (
                t.slug,
                {_longest_word(k) for k in t.keywords},
                _compile(t.keywords),
                _compile(t.exclude),
            )
            for t in self.topics
        ]

    def match(self, text: str) -> tuple[str, ...]:
        # A substring test (fast, in C) rules most topics out before their regex runs.
        folded = text.casefold()
        return tuple(
            slug
            for slug, words, include, exclude in self._rules
            if include is not None
            and any(word in folded for word in words)
            and include.search(folded)
            and not (exclude is not None and exclude.search(folded))
        )

    def match_item(self, title: str, blocks: Iterable[Block]) -> tuple[str, ...]:
        return self.match("\n".join([title, *(b.text for b in blocks)]))

    @property
    def fingerprint(self) -> str:
        """Changes whenever the rules change, so stored tags can be recomputed."""
        rules = [[t.slug, list(t.keywords), list(t.exclude)] for t in self.topics]
        # The matching itself is part of it: stored tags follow when it changes
        # (2: text and keywords compared casefolded).
        return hashlib.sha256(json.dumps([_MATCHING_VERSION, rules]).encode()).hexdigest()
