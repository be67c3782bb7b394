"""Where in an item text stands: title, lead, heading or body. Pure, no I/O."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..model import Block
from ..normalize import first_sentence
from .context import PassageContext
from .rules import WordIndex


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


class ItemText:
    """An item's passages, and their text casefolded and joined, which keyword patterns
    search in one pass; context rules read each passage's own text."""

    def __init__(self, found: list[Passage], index: WordIndex | None = None) -> None:
        self.passages = found
        joined = "\n".join(passage.text for passage in found)
        folded = joined.casefold()
        # Folding nearly always keeps every offset; when it does not ("ß" -> "ss"), each
        # passage is folded on its own and the context rules read the folded text.
        self.aligned = len(folded) == len(joined)
        parts = [p.text for p in found] if self.aligned else [p.text.casefold() for p in found]
        self.folded = folded if self.aligned else "\n".join(parts)
        self.starts: list[int] = []
        position = 0
        for part in parts:
            self.starts.append(position)
            position += len(part) + 1
        self._contexts: dict[int, PassageContext] = {}
        # Which of the topics' words occur: what decides which phrases are looked for.
        self.present = index.words_in(self.folded) if index else frozenset()

    def locate(self, position: int) -> int:
        """The index of the passage holding `position` of the folded text."""
        return bisect_right(self.starts, position) - 1

    def source(self, index: int) -> str:
        """What context rules and explanations read of passage `index`: its own text,
        or its folded text when folding moved offsets."""
        start = self.starts[index]
        if self.aligned:
            return self.passages[index].text
        return self.folded[start : start + len(self.passages[index].text.casefold())]

    def context(self, index: int) -> PassageContext:
        """The context rules over passage `index`, made on first need and kept."""
        found = self._contexts.get(index)
        if found is None:
            found = self._contexts[index] = PassageContext(self.source(index))
        return found


# The clause that says what an answer is about: "Asked about X, he said ...".
_LEAD_IN = re.compile(
    r"(?:when\s+)?(?:asked|questioned)\s+(?:about|on|whether|if|how|what|why|to)\b[^,;:]*"
    r"|(?:speaking|talking|commenting)\s+(?:about|on)\b[^,;:]*"
    r"|(?:answering|responding\s+to|replying\s+to)\s+(?:a|the)\s+question\b[^,;:]*"
    r"|(?:as\s+for|as\s+to|regarding|concerning|with\s+regard\s+to|turning\s+to)\b[^,;:]*",
    re.IGNORECASE,
)


def _passage(field: Field, paragraph: int, offset: int, text: str) -> Passage:
    return Passage(field, paragraph, offset, text)


def _body(number: int, text: str) -> list[Passage]:
    """A body paragraph: a question says what the answers after it are about."""
    if text.rstrip(" \"'”’»)").endswith("?"):
        return [_passage(Field.QUESTION, number, 0, text)]
    lead_in = _LEAD_IN.match(text)
    if lead_in is None:
        return [_passage(Field.BODY, number, 0, text)]
    cut = lead_in.end()
    return [
        _passage(Field.QUESTION, number, 0, text[:cut]),
        _passage(Field.BODY, number, cut, text[cut:]),
    ]


def passages(title: str, blocks: Sequence[Block]) -> list[Passage]:
    """The item's passages in reading order.

    A listing entry or teaser has no title of its own: its title is its paragraph's
    first sentence, shortened. Then that sentence is the title passage and the rest of
    the paragraph the lead, so nothing is counted twice.
    """
    found: list[Passage] = []
    first = next((n for n, block in enumerate(blocks) if block.kind == "p"), None)
    stem = title.removesuffix("…")
    derived = first is not None and bool(stem) and blocks[first].text.startswith(stem)
    if not derived:
        found.append(_passage(Field.TITLE, 0, 0, title))
    for number, block in enumerate(blocks, start=1):
        if block.kind == "h":
            found.append(_passage(Field.HEADING, number, 0, block.text))
        elif number - 1 != first:
            found += _body(number, block.text)
        elif derived:
            # The title is the sentence itself unless it had to be shortened.
            sentence = first_sentence(block.text) if title.endswith("…") else title
            found.append(_passage(Field.TITLE, number, 0, sentence))
            rest = block.text[len(sentence) :]
            if rest.strip():
                found.append(_passage(Field.LEAD, number, len(sentence), rest))
        else:
            found.append(_passage(Field.LEAD, number, 0, block.text))
    return found
