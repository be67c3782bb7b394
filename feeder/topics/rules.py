"""Topic rules as configured, and the patterns their phrases compile to. Pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# A topic is judged relevant when its score reaches this (one counted mention in the
# title, or a mention in each of three paragraphs of the body; see `relevance`).
DEFAULT_MIN_SCORE = 3.0


@dataclass(frozen=True)
class Topic:
    """A topic feed: phrases that are evidence for it, and what overrides that evidence.

    `keywords` are the evidence; a match of an `ignore` phrase does not count (other
    senses: "exercise their rights"); any `exclude` phrase keeps the item out whatever
    its score; `include_items` / `exclude_items` put single items (by key) in or out.
    """

    slug: str
    title: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    min_score: float = DEFAULT_MIN_SCORE
    include_items: tuple[str, ...] = ()
    exclude_items: tuple[str, ...] = ()


def keyword_pattern(keyword: str) -> str:
    """Regex for one keyword: whole words, `*` ending a word a suffix wildcard, and `*`
    standing alone any one word (`exercise* * right*`).

    The first word's letters lead the pattern, and the check that no letter precedes
    them comes after (a lookbehind over them): a pattern opening with a literal lets
    the regex engine skip ahead to candidates, ten times faster on long text than one
    opening with the lookbehind. Raises ValueError for a keyword that cannot be
    matched as words.
    """
    words = keyword.split()
    if not words:
        raise ValueError("empty keyword")
    if "*" in (words[0], words[-1]):
        raise ValueError(f"{keyword!r}: a lone '*' (any word) may only stand between words")
    parts = []
    for word in words:
        if word == "*":
            parts.append((r"[\w'’-]+", ""))
            continue
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


class PhraseSet:
    """Phrases compiled into one pattern over casefolded text, which tells which phrase
    matched. Comparing folded text exactly is several times faster than searching
    case-insensitively."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = tuple(phrases)
        # Text without one of these substrings cannot match: a test in C rules most
        # texts out before the regex runs.
        self.words = frozenset(_longest_word(phrase) for phrase in self.phrases)
        alternatives = (
            f"(?P<p{n}>{keyword_pattern(phrase.casefold())})"
            for n, phrase in enumerate(self.phrases)
        )
        self.pattern = re.compile("|".join(alternatives)) if self.phrases else None

    def may_occur(self, folded: str) -> bool:
        """False when `folded` cannot hold a match (no phrase's longest word occurs)."""
        return any(word in folded for word in self.words)

    def search(self, folded: str) -> str | None:
        """The first phrase found in `folded`, if any."""
        if self.pattern is None or not self.may_occur(folded):
            return None
        found = self.pattern.search(folded)
        return self.phrases[int(found.lastgroup[1:])] if found and found.lastgroup else None

    def finditer(self, folded: str) -> Iterator[tuple[int, int, str]]:
        """Every match in `folded`: start, end and the phrase that matched."""
        if self.pattern is None:
            return
        for found in self.pattern.finditer(folded):
            assert found.lastgroup is not None
            yield found.start(), found.end(), self.phrases[int(found.lastgroup[1:])]
