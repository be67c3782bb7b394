"""Where in an item text stands: title, lead, heading or body. Pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..model import Block
from ..normalize import first_sentence


class Field(StrEnum):
    """The part of an item a passage belongs to; earlier parts say more about it."""

    TITLE = "title"
    LEAD = "lead"  # the first paragraph (after the title's sentence, when derived from it)
    HEADING = "heading"  # a section subheading
    QUESTION = "question"  # an interviewer's question, or "Asked about X," before an answer
    BODY = "body"


@dataclass(frozen=True)
class Passage:
    """One scored piece of an item's text, with its place for explanations."""

    field: Field
    paragraph: int  # 0 for a title of its own, else the paragraph's number from 1
    offset: int  # where `text` starts within its paragraph
    text: str
    folded: str  # `text` casefolded, which keyword patterns search

    @property
    def source(self) -> str:
        """The text context rules read: the original when folding kept every offset
        (it nearly always does), so capitals still mark names; else the folded text."""
        return self.text if len(self.text) == len(self.folded) else self.folded


# The clause that says what an answer is about: "Asked about X, he said ...".
_LEAD_IN = re.compile(
    r"(?:when\s+)?(?:asked|questioned)\s+(?:about|on|whether|if|how|what|why|to)\b[^,;:]*"
    r"|(?:speaking|talking|commenting)\s+(?:about|on)\b[^,;:]*"
    r"|(?:answering|responding\s+to|replying\s+to)\s+(?:a|the)\s+question\b[^,;:]*"
    r"|(?:as\s+for|as\s+to|regarding|concerning|with\s+regard\s+to|turning\s+to)\b[^,;:]*",
    re.IGNORECASE,
)


def _passage(field: Field, paragraph: int, offset: int, text: str) -> Passage:
    return Passage(field, paragraph, offset, text, text.casefold())


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
            sentence = first_sentence(block.text)
            found.append(_passage(Field.TITLE, number, 0, sentence))
            rest = block.text[len(sentence) :]
            if rest.strip():
                found.append(_passage(Field.LEAD, number, len(sentence), rest))
        else:
            found.append(_passage(Field.LEAD, number, 0, block.text))
    return found
