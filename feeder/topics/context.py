"""Mentions that say nothing about an item's subject, found from the words around them.

A keyword can occur without the item being about it: one name in a list of member
states, an outlet's name ("Sputnik Armenia reports"), a city that is only the venue of
a meeting, a dateline, a link's address. Each rule here looks at the text around one
match and says how much the match still counts, and why. Pure, no I/O.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from feeder.topics import patterns as p
from feeder.topics.enumerations import enumerations, may_list

# An enumeration of this many items or more says nothing about any one of them; one of
# three counts half ("Armenia, Azerbaijan and Russia signed" names parties).
ENUMERATION_NOTHING = 4


@dataclass(frozen=True)
class Discount:
    """How much one match counts (1 fully, 0 not at all) and, when less, why."""

    weight: float
    reason: str = ""


COUNTS = Discount(1.0)
_LINK = Discount(0.0, "inside a link or address")
_DATELINE = Discount(0.0, "in a dateline")
_BODY = Discount(0.0, "in the name of a body or place")
_POST = Discount(0.0, "in the title of a post")
_SEAT = Discount(0.0, "the seat of a body")
_VENUE = Discount(0.0, "the venue of a meeting")


class PassageContext:
    """The context rules over one passage's text; sentences, lists, links and a
    dateline are found once, on first need, and shared by every topic judged on it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lists: dict[int, list[tuple[int, int, int]]] = {}  # by sentence start
        self._may_list = may_list(text)  # most short passages hold no list at all
        linked = "http" in text or "www." in text or "@" in text
        self._links = [m.span() for m in p.LINK.finditer(text)] if linked else []
        dateline = text[:1].isupper() or text[:1] in p.OPENING_QUOTES
        opening = p.DATELINE.match(text) if dateline else None
        self._dateline_end = opening.end() if opening else 0

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [0, *(match.end() for match in p.SENTENCE_END.finditer(self.text))]

    def sentence(self, start: int) -> tuple[int, int]:
        """The bounds of the sentence holding position `start`."""
        starts = self._sentence_starts
        index = bisect_right(starts, start) - 1
        end = starts[index + 1] if index + 1 < len(starts) else len(self.text)
        return starts[index], end

    def _enumerations(self, start: int) -> list[tuple[int, int, int]]:
        """(start, end, number of items) of every enumeration of three or more in the
        sentence holding `start`; each sentence is looked at once."""
        if not self._may_list:
            return []
        first, last = self.sentence(start)
        found = self._lists.get(first)
        if found is None:
            found = self._lists[first] = [
                (first + start, first + end, items)
                for start, end, items in enumerations(self.text[first:last])
            ]
        return found

    def discount(self, start: int, end: int) -> Discount:
        """How much the match at [start, end) counts, judged by the words around it.

        The patterns that look back from the match are searched for only when the
        word before it is one they end with (a brand, "for", "in", ...): a set lookup
        is cheap, a search backwards is not."""
        text = self.text
        end = _word_end(text, end)
        if self._links and any(a <= start and end <= b for a, b in self._links):
            return _LINK
        if start < self._dateline_end:  # a dateline's place opens its paragraph
            return _DATELINE
        before = _word_before(text, start)
        after = p.AFTER.match(text, end)
        ahead = after.lastgroup if after else None
        if outlet := self._outlet(start, end, before, after if ahead == "outlet" else None):
            return Discount(0.0, f"in an outlet's name ({outlet})")
        if ahead == "body" or before in p.BODY_WORDS:
            return _BODY
        lowered = before.lower()
        if lowered in p.POST_ENDS and p.POST_FOR.search(text, max(0, start - 100), start):
            return _POST
        if lowered in p.PLACE_ENDS and p.SEAT.search(text, max(0, start - 30), start):
            return _SEAT
        for a, b, items in self._enumerations(start):
            if a <= start and end <= b:
                if items >= ENUMERATION_NOTHING:
                    return Discount(0.0, f"one of an enumeration of {items}")
                return Discount(0.5, f"one of an enumeration of {items}")
        # A venue is a place name: capitalised, not an acronym ("the NATO summit").
        word = text[start:end]
        if word[:1].isupper() and not word.isupper() and self._venue(start, lowered, ahead):
            return _VENUE
        return COUNTS

    def _outlet(self, start: int, end: int, before: str, after: re.Match[str] | None) -> str:
        """The outlet name the match stands in, or "" when it stands in none."""
        text = self.text
        if before.lower() in p.BRANDS or (
            ("-" in before or "." in before) and p.BRAND_WORD.search(before)
        ):
            found = p.BRAND_BEFORE.search(text, max(0, start - 30), start)
            if found:
                return text[found.start() : end].strip('"“”«» ')
        if after:
            return text[start : after.end()].strip('"“”«» ')
        if text[start - 1 : start] in p.OPENING_QUOTES and p.NOUN_BEFORE_QUOTE.search(
            text, max(0, start - 40), start
        ):
            return text[start:end]
        return ""

    def _venue(self, start: int, before: str, ahead: str | None) -> bool:
        """True when the match names where a meeting takes place, not what it is about:
        "held in Minsk", "In Almaty, a meeting ...", "Minsk will host the summit",
        "the Moscow summit". `before` is the word before the match, lowercased."""
        text = self.text
        if ahead == "summit":
            return True
        placed = before in p.PLACE_ENDS  # "... in Minsk", "... the city of Minsk"
        if placed and p.MET_IN.search(text, max(0, start - 60), start):
            return True
        if not placed and ahead != "hosts":
            return False
        first, last = self.sentence(start)
        if not p.MEETING.search(text, first, last):
            return False
        return bool(
            ahead == "hosts"
            or p.HELD_IN.search(text, max(first, start - 60), start)
            or p.FRONTED_IN.match(text, first, start)
        )


def _word_before(text: str, start: int) -> str:
    """The word before position `start`, past the spaces and quotes between (string
    methods, not a loop over characters: this runs for every match)."""
    chunk = text[max(0, start - 40) : start].rstrip(p.QUOTES + " \t\n\xa0")
    words = chunk.rsplit(None, 1)
    return words[-1].lstrip(p.QUOTES + "([") if words else ""


def _word_end(text: str, end: int) -> int:
    """The end of the word a match ends in (a keyword may match a word's start)."""
    while end < len(text) and (text[end].isalnum() or text[end] in "-'’"):
        end += 1
    return end
