"""Enumerations in a sentence: "Armenia, Belarus, Kazakhstan and Russia", "terrorism,
extremism, drug trafficking and illegal migration", "Moscow - Minsk - Astana". A name
inside one says nothing about the subject. Pure, no I/O.

Found in one pass over the sentence's separators (commas, conjunctions, dashes), not
by a regular expression: a pattern of repeated multi-word items backtracks at every
position, which on a long sentence of commas costs milliseconds.
"""

from __future__ import annotations

import re

# "A, B, C and D": items of up to six words, commas between, a conjunction before the
# last (after an optional serial comma).
ITEM_WORDS = 6
# "A, B, C, D." (no conjunction, four or more items) and "Moscow - Minsk - Astana"
# (three or more): items of up to three words.
SHORT_WORDS = 3

_CONJUNCTION = r"(?:and|or|nor|as\s+well\s+as|and\s+also|&)"
_SEPARATOR = re.compile(
    rf"(?P<comma>,\s+(?P<then>{_CONJUNCTION}\s+)?)|\s+{_CONJUNCTION}\s+|(?P<dash>\s+[-–—]\s+)",
    re.IGNORECASE,
)
_CONJUNCTIONS = frozenset({"and", "or", "nor", "&"})
_WORD = re.compile(r"\S+")
_CLAUSE_END = ".;:)"


def _fits(word: str) -> bool:
    """A word that can be part of a list item: no conjunction, and no stop ending it
    (a list never runs on past its sentence or clause)."""
    return word[-1] not in ".!?:" and word.lower() not in _CONJUNCTIONS


class _Segments:
    """The text between a sentence's separators, and each separator's kind."""

    def __init__(self, sentence: str) -> None:
        self.text = sentence
        separators = list(_SEPARATOR.finditer(sentence))
        self.kinds = [
            "dash" if m["dash"] else "comma" if m["comma"] and not m["then"] else "and"
            for m in separators
        ]
        self._words: dict[int, list[tuple[int, int]]] = {}
        starts = [0, *(m.end() for m in separators)]
        ends = [*(m.start() for m in separators), len(sentence)]
        self.spans = list(zip(starts, ends, strict=True))

    def words(self, index: int) -> list[tuple[int, int]]:
        """The spans of segment `index`'s words (found once: the rules ask often)."""
        found = self._words.get(index)
        if found is None:
            start, end = self.spans[index]
            found = self._words[index] = [m.span() for m in _WORD.finditer(self.text, start, end)]
        return found

    def inner(self, index: int, most: int) -> bool:
        """True when segment `index` can be a whole item of up to `most` words."""
        words = self.words(index)
        return 0 < len(words) <= most and all(_fits(self.text[a:b]) for a, b in words)

    def tail(self, index: int, most: int) -> int | None:
        """Where the first item starts: the last words (up to `most`) of a segment
        that may go on before it; None when its last word cannot end an item."""
        start = None
        for a, b in reversed(self.words(index)[-most:]):
            if not _fits(self.text[a:b]):
                break
            start = a
        return start

    def head(self, index: int, most: int) -> int | None:
        """Where the last item ends: the first words (up to `most`) of a segment that
        may go on after it; None when its first word cannot be an item's."""
        end = None
        for a, b in self.words(index)[:most]:
            word = self.text[a:b]
            if word.lower() in _CONJUNCTIONS:
                break
            if not _fits(word):  # "... and Tajikistan." ends the item, its stop outside
                stripped = word.rstrip(".!?:")
                return a + len(stripped) if stripped else end
            end = b
        return end

    def named(self, index: int, last: bool = False) -> bool:
        """True when segment `index` starts (or with `last`, its last word starts) with
        a capital: a list without a conjunction is a list of names."""
        words = self.words(index)
        if not words:
            return False
        a, _ = words[-1] if last else words[0]
        return self.text[a].isupper()

    def closing(self, index: int) -> int | None:
        """Where a list without a conjunction ends: segment `index` must be one short
        item ending the clause (followed by `.;:)` or the sentence's end)."""
        start, end = self.spans[index]
        text = self.text[start:end]
        cut = min((i for i in map(text.find, _CLAUSE_END) if i >= 0), default=len(text))
        if cut == len(text) and index < len(self.spans) - 1:
            return None  # a separator follows, not the clause's end
        words = text[:cut].split()
        if not 0 < len(words) <= SHORT_WORDS or not all(map(_fits, words)):
            return None
        return start + len(text[:cut].rstrip())


def may_list(text: str) -> bool:
    """False when `text` has too few separators for any enumeration (a cheap test)."""
    commas = text.count(",") + text.count(" and ") + text.count(" or ")
    return commas >= 2 or text.count(" - ") + text.count(" – ") + text.count(" — ") >= 2


def enumerations(sentence: str) -> list[tuple[int, int, int]]:
    """(start, end, number of items) of every enumeration of three or more items."""
    found: list[tuple[int, int, int]] = []
    if not may_list(sentence):
        return found
    parts = _Segments(sentence)
    kinds = parts.kinds
    if len(kinds) < 2:
        return found
    for last, kind in enumerate(kinds):
        if kind == "and":  # "A, B, C and D": back over the commas before it
            first = last
            while first > 0 and kinds[first - 1] == "comma" and parts.inner(first, ITEM_WORDS):
                first -= 1
            start = parts.tail(first, ITEM_WORDS)
            if start is None and first < last:  # nothing of it can be an item
                first += 1
                start = parts.tail(first, ITEM_WORDS)
            end = parts.head(last + 1, ITEM_WORDS)
            if first < last and start is not None and end is not None:
                found.append((start, end, last - first + 2))
    for separator in ("comma", "dash"):
        found += _runs(parts, separator)
    return found


def _runs(parts: _Segments, separator: str) -> list[tuple[int, int, int]]:
    """Lists of short items joined by `separator` only: four or more names closing a
    clause ("Armenia, Belarus, Kazakhstan, Kyrgyzstan."; "On 5 May, 2024, in Minsk,
    the council met." is no list), or three or more dashed ("Moscow - Minsk - Astana")."""
    kinds = parts.kinds
    names = separator == "comma"
    found: list[tuple[int, int, int]] = []
    index = 0
    while index < len(kinds):
        if kinds[index] != separator or (names and not parts.named(index, last=True)):
            index += 1
            continue
        first = index
        last = index + 1  # the segment after the run's last separator
        while (
            last < len(kinds)
            and kinds[last] == separator
            and parts.inner(last, SHORT_WORDS)
            and (not names or parts.named(last))
        ):
            last += 1
        index = last
        start = parts.tail(first, SHORT_WORDS)
        if start is None:  # nothing of it can be an item: the list starts after it
            first += 1
            start = parts.tail(first, SHORT_WORDS) if first < last else None
        items = last - first + 1
        if separator == "dash":
            end = parts.head(last, SHORT_WORDS) if items >= 3 else None
        else:
            end = parts.closing(last) if items >= 4 and parts.named(last) else None
        if start is not None and end is not None:
            found.append((start, end, items))
    return found
