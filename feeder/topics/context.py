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

# An enumeration of this many items or more says nothing about any one of them; one of
# three counts half ("Armenia, Azerbaijan and Russia signed" names parties).
ENUMERATION_NOTHING = 4
ENUMERATION_HALF = 3

_COORD = r"(?:and|or|nor|as\s+well\s+as|and\s+also|&)"
# A word of a list item; it never ends a sentence, so an item stays in its sentence.
_WORD = rf"(?!{_COORD}\b)[^\s,;]*[^\s,;.!?:]"
_ITEM = rf"{_WORD}(?:\s+{_WORD}){{0,5}}"  # a list item: up to six words
_SHORT = rf"{_WORD}(?:\s+{_WORD}){{0,2}}"  # up to three words
_ENUMERATIONS = re.compile(
    # "A, B, C and D" (items of up to six words, an optional serial comma)
    rf"{_ITEM}(?:,\s+{_ITEM})+,?\s+{_COORD}\s+{_ITEM}"
    # "A, B, C, D." without a conjunction: four or more short items, the last ending a
    # clause (so "On 5 May, 2024, in Minsk, the council met" is no list)
    rf"|{_SHORT}(?:,\s+{_SHORT}){{3,}}(?=\s*(?:[.;:)]|$))"
    # "Moscow - Minsk - Astana" (a video bridge, a route)
    rf"|{_SHORT}(?:\s+[-–—]\s+{_SHORT}){{2,}}",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(rf",\s+(?:{_COORD}\s+)?|\s+{_COORD}\s+|\s+[-–—]\s+", re.IGNORECASE)

# Where a sentence ends: a stop before a capital, or a semicolon or colon.
_SENTENCE_END = re.compile(r"[.!?…](?=[\"'”’»)]*\s+[\"“«(]?[A-Z0-9\u0400-\u042f])|[;:](?=\s)")

# Names of news outlets and the words that make a name one.
_MEDIA_BRANDS = (
    "(?i:sputnik|interfax|kazinform|akipress|kabar|khovar|armenpress|xinhua|reuters|euronews|"
    "tengrinews|novosti|azertac|asia-plus|cronos|vesti|zvezda|izvestia|kommersant|regnum|"
    "eurasianet|ozodi|azattyk|azatutyun|khabar|anadolu|24\\.kz|news\\.am)"
    "|RIA|TASS|BelTA|RT|NTV|RBC|BBC|CNN|AP|AFP|DW|Mir|Trend"
)
_MEDIA_NAME_WORDS = (
    "Today|Times|News|TV|Radio|Post|Daily|Herald|Tribune|Press|Media|Gazette|Observer|"
    "Express|Weekly|Segodnya|Pravda|Vesti|Inform|Info|Online|24|Channel|Broadcasting|"
    "Telegraph|Journal|Monitor|Insider|Review|Courier|Kurier|Zerkalo|Novosti"
)
_MEDIA_NOUNS = (
    r"(?:news\s+|information\s+|press\s+)?(?:agency|agencies|newspaper|daily|weekly|"
    r"magazine|channel|tv\s+channel|television|radio|portal|website|web\s+site|outlet|"
    r"publication|broadcaster|news\s+service|edition|media)"
)
_BRAND_BEFORE = re.compile(rf"\b(?:{_MEDIA_BRANDS})[\"'”’»]?\s+[\"“«]?$")
_NAME_AFTER = re.compile(rf"[\"”’»]?(?:\s+[A-Z][\w-]*)?\s+(?:{_MEDIA_NAME_WORDS})\b")
_NOUN_AFTER = re.compile(rf"[\"”’»]?(?:\s+[A-Z][\w-]*){{0,2}}\s+(?i:{_MEDIA_NOUNS})\b")
_NOUN_BEFORE_QUOTE = re.compile(rf"\b{_MEDIA_NOUNS}\s+[\"“«]$", re.IGNORECASE)
# Bodies and places named after a city or country: a university, an airport, a street.
_INSTITUTION_AFTER = re.compile(
    r"(?:\s+[A-Z][\w-]*){0,2}\s+(?:University|Institute|Academy|Airport|Hotel|Street|Avenue|"
    r"Square|Theatre|Theater|Museum|Stadium|Arena|Conservatory|Philharmonic|Metro|Station|"
    r"Marathon|Club|Opera|Circus|Zoo|Plant|Factory|Bank|Exchange|Cup)\b"
)
_INSTITUTION_BEFORE = re.compile(r"\b(?:Hotel|Stadium|Arena|Club|FC|Bank)\s+$")
# A post named for its portfolio: "Special Representative of the Secretary General for
# Peacekeeping" names who someone is, not what the item reports.
# So is the country a diplomat is accredited to: "the Ambassador of Belarus to the
# Russian Federation" speaks for Belarus.
_POST_FOR = re.compile(
    r"\b(?:Representative|Envoy|Commissioner|Coordinator|Adviser|Advisor|Rapporteur|"
    r"Ambassador-at-[Ll]arge)(?:\s+[^\s,;.]+){0,6}?\s+(?:for|on)\s+(?:the\s+)?$"
    r"|\b(?:Ambassador|Envoy|Representative|Consul|Attach[eé])(?:\s+[^\s,;.]+){0,8}?"
    r"\s+to\s+(?:the\s+)?$"
)
# Where a body sits: "the CSTO Joint Staff in Moscow", "the Embassy in Minsk".
_SEAT = re.compile(
    r"\b(?:Staff|Secretariat|Headquarters|Office|Embassy|Mission|Representation|Bureau|"
    r"Centre|Center)\s+(?:in|at)\s+(?:the\s+)?$"
)

# A city (or country) as the place of a meeting rather than its subject.
_MEETING = re.compile(
    r"\b(?:meeting|session|summit|conference|forum|consultation|talks|negotiations|briefing|"
    r"round[- ]table|seminar|symposium|congress|sitting|assembly|video\s?bridge|"
    r"videoconference|ceremony\s+of\s+signing)s?\b",
    re.IGNORECASE,
)
_VENUE_BEFORE = re.compile(
    r"\b(?:held|hold|holds|holding|took\s+place|take\s+place|takes\s+place|taking\s+place|met|"
    r"meet|meets|gathered|convened|hosted|opened|organi[sz]ed|arrived|signed)"
    r"(?:\s+[^\s,;.]+){0,4}?\s+(?:in|at)\s+(?:the\s+)?(?:(?:city|capital|republic)\s+of\s+)?$",
    re.IGNORECASE,
)
# Matched from the sentence's start: "On 5 May, in Minsk, ..." ("^" would not anchor there).
# "met NATO observers in Minsk": the verb itself says a meeting took place there.
# "the session of the Council in Bishkek", "the strategy was adopted in Bishkek".
_MET_IN = re.compile(
    r"\b(?:met|meet|meets|gathered|convened|negotiated|adopted|approved|signed|"
    r"meeting|session|summit|conference|forum|consultations|talks|negotiations)"
    r"(?:\s+[^\s,;.]+){0,5}?\s+(?:in|at)\s+(?:the\s+)?(?:(?:city|capital)\s+of\s+)?$",
    re.IGNORECASE,
)
_FRONTED_VENUE = re.compile(
    r"(?:[^,;]{0,40},\s+){0,2}(?:in|at)\s+(?:the\s+)?(?:(?:city|capital|republic)\s+of\s+)?$",
    re.IGNORECASE,
)
_HOSTS_AFTER = re.compile(
    r"(?:'s|’s)?\s+(?:will\s+host|hosts|hosted|is\s+hosting|was\s+hosting|to\s+host|"
    r"will\s+be\s+the\s+venue|(?:was|is)\s+the\s+venue)\b",
    re.IGNORECASE,
)
_SUMMIT_AFTER = re.compile(r"\s+summit\b", re.IGNORECASE)  # "the Moscow summit"

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# "Moscow. July 16. INTERFAX.RU -", "BISHKEK, March 3 (AKIpress) -",
# "ASTANA, December 4 /Kazinform/ -", "YEREVAN, MARCH 1, ARMENPRESS."
_DATELINE = re.compile(
    rf"[\"“]?[A-Z][\w'’.-]*(?:[ -][A-Z][\w'’-]*){{0,2}}\s*[.,]\s+"
    rf"(?i:\d{{1,2}}\s+{_MONTHS}|{_MONTHS}\s+\d{{1,2}})(?:,?\s+\d{{4}})?\s*[.,]?\s*"
    r"(?:[-–—]|\(|/|[A-Z][A-Z.-]{3,})"
)
_LINK = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)


@dataclass(frozen=True)
class Discount:
    """How much one match counts (1 fully, 0 not at all) and, when less, why."""

    weight: float
    reason: str = ""


COUNTS = Discount(1.0)


class PassageContext:
    """The context rules over one passage's text; lists and sentences are found once,
    on first need, and shared by every topic judged on the passage."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def _enumerations(self) -> list[tuple[int, int, int]]:
        """(start, end, number of items) of every enumeration of three or more."""
        found = []
        for match in _ENUMERATIONS.finditer(self.text):
            items = len(_SEPARATOR.findall(match.group())) + 1
            if items >= ENUMERATION_HALF:
                found.append((match.start(), match.end(), items))
        return found

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [0, *(match.end() for match in _SENTENCE_END.finditer(self.text))]

    @cached_property
    def _links(self) -> list[tuple[int, int]]:
        return [match.span() for match in _LINK.finditer(self.text)]

    @cached_property
    def _dateline_end(self) -> int:
        match = _DATELINE.match(self.text)
        return match.end() if match else 0

    def sentence(self, start: int) -> tuple[int, int]:
        """The bounds of the sentence holding position `start`."""
        starts = self._sentence_starts
        index = bisect_right(starts, start) - 1
        end = starts[index + 1] if index + 1 < len(starts) else len(self.text)
        return starts[index], end

    def discount(self, start: int, end: int) -> Discount:
        """How much the match at [start, end) counts, judged by the words around it."""
        text = self.text
        end = _word_end(text, end)
        if any(a <= start and end <= b for a, b in self._links):
            return Discount(0.0, "inside a link or address")
        if start < self._dateline_end:
            return Discount(0.0, "in a dateline")
        if outlet := self._outlet(start, end):
            return Discount(0.0, f"in an outlet's name ({outlet})")
        if _INSTITUTION_AFTER.match(text, end) or _INSTITUTION_BEFORE.search(
            text, max(0, start - 12), start
        ):
            return Discount(0.0, "in the name of a body or place")
        if _POST_FOR.search(text, max(0, start - 100), start):
            return Discount(0.0, "in the title of a post")
        if _SEAT.search(text, max(0, start - 30), start):
            return Discount(0.0, "the seat of a body")
        for a, b, items in self._enumerations:
            if a <= start and end <= b:
                if items >= ENUMERATION_NOTHING:
                    return Discount(0.0, f"one of an enumeration of {items}")
                return Discount(0.5, f"one of an enumeration of {items}")
        # A venue is a place name: capitalised, not an acronym ("the NATO summit").
        word = text[start:end]
        if word[:1].isupper() and not word.isupper() and self._venue(start, end):
            return Discount(0.0, "the venue of a meeting")
        return COUNTS

    def _outlet(self, start: int, end: int) -> str:
        """The outlet name the match stands in, or "" when it stands in none."""
        text = self.text
        before = _BRAND_BEFORE.search(text, max(0, start - 30), start)
        if before:
            return text[before.start() : end].strip('"“”«» ')
        after = _NAME_AFTER.match(text, end) or _NOUN_AFTER.match(text, end)
        if after:
            return text[start : after.end()].strip('"“”«» ')
        if _NOUN_BEFORE_QUOTE.search(text, max(0, start - 40), start):
            return text[start:end]
        return ""

    def _venue(self, start: int, end: int) -> bool:
        """True when the match names where a meeting takes place, not what it is about:
        "held in Minsk", "In Almaty, a meeting ...", "Minsk will host the summit",
        "the Moscow summit"."""
        text = self.text
        if _SUMMIT_AFTER.match(text, end):
            return True
        if _MET_IN.search(text, max(0, start - 60), start):
            return True
        first, last = self.sentence(start)
        if not _MEETING.search(text, first, last):
            return False
        return bool(
            _VENUE_BEFORE.search(text, max(first, start - 60), start)
            or _FRONTED_VENUE.match(text, first, start)
            or _HOSTS_AFTER.match(text, end)
        )


def _word_end(text: str, end: int) -> int:
    """The end of the word a match ends in (a keyword may match a word's start)."""
    while end < len(text) and (text[end].isalnum() or text[end] in "-'’"):
        end += 1
    return end
