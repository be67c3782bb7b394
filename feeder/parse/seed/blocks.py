"""A capture's text as blocks of consecutive non-blank lines, and the shapes a block
or line can have: a navigation footer, a title, a "Read also" line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from feeder.normalize import ends_sentence, squash

_FOOTER = frozenset({"go back", "back to the section", "back to the all news"})
READ_ALSO = re.compile(r"^read also\b:?\s*(?P<rest>.*)$", re.I)
_LIST_MARK = ("- ", "– ", "— ", "• ")
_TITLE_MAX = 200


@dataclass
class LineBlock:
    """Consecutive non-blank lines, with the number of the first one."""

    line: int
    lines: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    @property
    def single(self) -> str | None:
        return self.lines[0] if len(self.lines) == 1 else None


def split_blocks(text: str) -> list[LineBlock]:
    """The blocks of `text`, blank lines between them; lines with spaces squashed."""
    blocks: list[LineBlock] = []
    current: LineBlock | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = squash(raw)
        if not line:
            current = None
        elif current is None:
            current = LineBlock(number, [line])
            blocks.append(current)
        else:
            current.lines.append(line)
    return blocks


def is_footer(block: LineBlock) -> bool:
    """A navigation footer ("Go back"), which ends an article or a set of teasers."""
    return all(line.lower() in _FOOTER for line in block.lines)


def is_title_like(line: str) -> bool:
    """A line that could be a title: short, several words, no closing full stop, not a
    list item or a "Read also" line."""
    return (
        len(line) <= _TITLE_MAX
        and " " in line
        and not ends_sentence(line)
        and not line.startswith(_LIST_MARK)
        and not READ_ALSO.match(line)
    )
