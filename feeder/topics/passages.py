"""Where in an item text stands: title, lead, heading or body. Pure, no I/O."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from feeder.model import Block
from feeder.normalize import first_sentence
from feeder.topics.context import PassageContext
from feeder.topics.rules import WordIndex


class Field(StrEnum):
    """The part of an item a passage belongs to; earlier parts say more about it."""

    TITLE = "title"
    LEAD = "lead"  # the first paragraph (after the title's sentence, when derived from it)
    HEADING = "heading"  # a section subheading
    QUESTION = "question"  # an interviewer's question, or "Asked about X," before an answer
    BODY = "body"


@dataclass(frozen=True, slots=True)
class Passage:
    """One scored piece of an item's text, with its place for explanations."""

    field: Field
    paragraph: int  # 0 for a title of its own, else the paragraph's number from 1
    offset: int  # where `text` starts within its paragraph
    text: str


# How far into its paragraph a listing entry's title may start (after a dateline).
_DATELINE_REACH = 80
# Joins the passages' folded text: neither a space nor a letter, so no phrase matches
# across two passages (a title's last word and the lead's first).
_JOIN = "\x00"


class ItemText:
    """An item's passages, their text casefolded and joined, which keyword patterns
    search in one pass, and which of the topics' words occur in it. Context rules and
    explanations read each passage's own text, at offsets mapped back from the folded."""

    def __init__(self, found: list[Passage], index: WordIndex) -> None:
        self.passages = found
        parts = [passage.text.casefold() for passage in found]
        self.folded = _JOIN.join(parts)
        self.starts: list[int] = []
        position = 0
        for part in parts:
            self.starts.append(position)
            position += len(part) + 1
        # Folding nearly always keeps every offset; where it does not ("ß" -> "ss"), a
        # passage's folded offsets are mapped back to its own.
        self._maps = {
            n: _offset_map(passage.text)
            for n, (passage, part) in enumerate(zip(found, parts, strict=True))
            if len(part) != len(passage.text)
        }
        self._contexts: dict[int, PassageContext] = {}
        self.present = index.words_in(self.folded)

    def locate(self, position: int) -> tuple[int, int]:
        """The index of the passage holding `position` of the folded text, and the
        position in that passage's own text."""
        index = bisect_right(self.starts, position) - 1
        local = position - self.starts[index]
        mapping = self._maps.get(index)
        return index, local if mapping is None else mapping[local]

    def context(self, index: int) -> PassageContext:
        """The context rules over passage `index`, made on first need and kept."""
        found = self._contexts.get(index)
        if found is None:
            found = self._contexts[index] = PassageContext(self.passages[index].text)
        return found


def _offset_map(text: str) -> list[int]:
    """For each offset of `text` casefolded (and its end), the offset in `text`."""
    mapping = []
    for offset, char in enumerate(text):
        mapping += [offset] * len(char.casefold())
    mapping.append(len(text))
    return mapping


# The clause that says what an answer is about: "Asked about X, he said ...".
_LEAD_IN = re.compile(
    r"(?:(?:when\s+)?(?:asked|questioned)\s+(?:about|on|whether|if|how|what|why|to)\b"
    r"|(?:speaking|talking|commenting)\s+(?:about|on)\b"
    r"|(?:answering|responding\s+to|replying\s+to)\s+(?:a|the)\s+question\b"
    r"|(?:as\s+for|as\s+to|regarding|concerning|with\s+regard\s+to|turning\s+to)\b)"
    r"[^,;:]*(?=,)",  # up to the comma that closes the clause
    re.IGNORECASE,
)


def _body(number: int, text: str) -> list[Passage]:
    """A body paragraph: a question says what the answers after it are about."""
    if text.rstrip(" \"'”’»)").endswith("?"):
        return [Passage(Field.QUESTION, number, 0, text)]
    lead_in = _LEAD_IN.match(text)
    if lead_in is None:
        return [Passage(Field.BODY, number, 0, text)]
    cut = lead_in.end()
    return [
        Passage(Field.QUESTION, number, 0, text[:cut]),
        Passage(Field.BODY, number, cut, text[cut:]),
    ]


def split_passages(title: str, blocks: Sequence[Block]) -> list[Passage]:
    """The item's passages in reading order.

    A listing entry or teaser has no title of its own: its title is its paragraph's
    first sentence, shortened. Then that sentence is the title passage and the rest of
    the paragraph the lead, so nothing is counted twice.
    """
    found: list[Passage] = []
    first = next((n for n, block in enumerate(blocks) if block.kind == "p"), None)
    stem = title.removesuffix("…")
    # Its title opens the paragraph, or follows a wire dateline there.
    opening = (
        blocks[first].text.find(stem, 0, _DATELINE_REACH + len(stem))
        if first is not None and stem
        else -1
    )
    derived = opening >= 0
    if not derived:
        found.append(Passage(Field.TITLE, 0, 0, title))
    for number, block in enumerate(blocks, start=1):
        if block.kind == "h":
            found.append(Passage(Field.HEADING, number, 0, block.text))
        elif number - 1 != first:
            found += _body(number, block.text)
        elif derived:
            # The title is the sentence itself unless it had to be shortened; a dateline
            # before it goes with it.
            text = block.text
            sentence = first_sentence(text[opening:]) if title.endswith("…") else title
            cut = opening + len(sentence)
            found.append(Passage(Field.TITLE, number, 0, text[:cut]))
            if text[cut:].strip():
                found.append(Passage(Field.LEAD, number, cut, text[cut:]))
        else:
            found.append(Passage(Field.LEAD, number, 0, block.text))
    return found
