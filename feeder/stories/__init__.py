"""Stories: which items report the same event, and the dates reports take from their
story. Pure functions over plain data, no I/O.

`signature` reduces an item to what another report of the event would share (names,
numbers, quotes, content words), `likeness` compares two, and `grouping` places each
report in the story of the most alike earlier one, or in a story of its own.
"""

from __future__ import annotations

from feeder.stories.dating import Dating, date_story
from feeder.stories.grouping import (
    MIN_SPECIFIC,
    SPECIFIC_SHARE,
    WORD_SHARE,
    Grouping,
    Override,
    Placement,
    Report,
    group,
    place,
)
from feeder.stories.likeness import DAY_WINDOW
from feeder.stories.signature import Signature, signature

# Recorded with a database's stories: when it changes, the next refresh groups anew
# (and dates every item from its text again). Bump the first part with any change to
# signatures, likeness or vetoes.
GROUPING_VERSION = f"5:{SPECIFIC_SHARE}:{WORD_SHARE}:{MIN_SPECIFIC}:{DAY_WINDOW}"

__all__ = [
    "GROUPING_VERSION",
    "Dating",
    "Grouping",
    "Override",
    "Placement",
    "Report",
    "Signature",
    "date_story",
    "group",
    "place",
    "signature",
]
