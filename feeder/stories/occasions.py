"""What a report's opening says it is about: the sessions of standing bodies and the
events named with their year. Reports of one session or exercise on one day are one
event, however differently each outlet tells it. Pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

# A standing body: capitalised words around a body's noun ("Council of Foreign
# Ministers"), read in the title and the start of the lead.
_BODY = re.compile(
    r"\b(?:[A-Z][\w'’-]*\s+){0,4}(?:Council|Committee|Assembly|Commission|Board)\b"
    r"(?:\s+(?:of|for|on)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:and\s+)?[A-Z][\w'’-]*)*){0,2}"
)
# An exercise or operation named with its year: "Interaction-2013", "Channel-2019".
_NAMED_EVENT = re.compile(r"(?<![\w'’.-])[A-Z][\w'’.]*-(?:19|20)\d\d(?![\w-])")
# What names a session or event as the moment of something else ("on the eve of the
# session of the", "preparations for the exercise").
_MOMENT_OF_OTHER = re.compile(
    r"\b(?:eve|ahead|sidelines|margins|preparation|preparations|results|decisions)\s+"
    r"of\s+(?:the\s+)?(?:(?:session|meeting|sitting|summit|exercise|training)\s+of\s+"
    r"(?:the\s+)?)?(?:[\w-]+\s+){0,4}[“\"«]?$"
    r"|\b(?:for|before|after)\s+the\s+(?:(?:session|meeting|summit)\s+of\s+the\s+)?$",
    re.IGNORECASE,
)
_ORGANISATION = frozenset(("csto", "the", "cis", "sco"))
_OWNER = frozenset(("collective", "security", "treaty", "organization", "organisation"))


def occasions_of(text: str, first_names: Collection[int] = ()) -> Iterator[str]:
    """The standing bodies `text` names ("CSTO Collective Security Council", "Council of
    Foreign Ministers of the CSTO": "collective security council", "council of foreign
    ministers") and the events it names with their year ("interaction-2013"), but
    those it names as the moment of something else ("on the eve of the session of the
    Council", "preparations for Interaction-2013"). `first_names`: where people's first names
    start in `text` (a body's name ends at a person's)."""
    for match in _NAMED_EVENT.finditer(text):
        if not _moment_of_other(text, match.start()):
            yield match.group().casefold()
    for match in _BODY.finditer(text):
        if _moment_of_other(text, match.start()):
            continue
        # "the Security Council of Armenia Armen Grigoryan": the name ends at a person's.
        end = min(
            (at for at in first_names if match.start() < at < match.end()), default=match.end()
        )
        name = text[match.start() : end]
        words = [w for w in name.casefold().split() if w not in _ORGANISATION]
        # "... Council of the Collective Security Treaty Organization": whose, not which.
        if "of" in words and set(words[len(words) - words[::-1].index("of") :]) <= _OWNER:
            words = words[: len(words) - words[::-1].index("of") - 1]
        while words and words[-1] in ("of", "the", "for", "on", "and"):
            words.pop()
        if len(words) >= 2:
            yield " ".join(words)


def _moment_of_other(text: str, start: int) -> bool:
    """True when the words before `start` name what follows as another thing's moment."""
    return bool(_MOMENT_OF_OTHER.search(text, max(0, start - 60), start))
