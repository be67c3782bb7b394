"""What an item's text says that another report of the same event would say too: its
names, numbers, quoted phrases and content words. Pure, no I/O."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date
from functools import cached_property, lru_cache

from feeder.model import Block
from feeder.normalize import first_sentence
from feeder.parse.dates import after_dateline, dateline_day, event_day
from feeder.stories.occasions import occasions_of
from feeder.stories.vocabulary import (
    COMMON_NAMES,
    COUNTRIES,
    COUNTRY_OF,
    NOT_PEOPLE,
    NUMBER_WORDS,
    STOPWORDS,
)
from feeder.topics.enumerations import enumerations
from feeder.topics.patterns import BRANDS

_TOKEN = re.compile(r"[^\W_][\w'’.-]*[^\W_]|[^\W_]")
# A token (as `_TOKEN` cuts them) that starts with a capital letter.
_CAPITALISED = re.compile(
    r"(?<![\w'’.-])[^\W\d_a-z][\w'’.-]*[^\W_]|(?<![\w'’.-])[^\W\d_a-z](?![\w'’.-])"
)
_QUOTED = re.compile(r"[“\"«]([^”\"»]{3,80})[”\"»]")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_YEAR = re.compile(r"(?:19|20)\d\d")

# What an opening sentence says of its event's moment.
_STARTS = r"open(?:ed|ing|s)?|launch(?:ed|es)?|beg[au]n|begins|start(?:ed|s)?"
_ENDS = r"final|closing|closed|conclud(?:ed|es|ing)|ended|completed|completion"
_FUTURE = (
    r"will\s+(?:not\s+)?(?:be\s+held|hold|host|take\s+place|meet|start|open|begin|send|"
    r"visit|arrive|participate|attend|take\s+part|conduct)|is\s+scheduled|next\s+week"
)
# One pass for every moment, and which day of an event of several ("On the second day
# of the visit").
_MOMENTS = re.compile(
    r"\b(?:(?P<day>first|second|third|fourth|fifth|last|final)\s+day\s+of"
    rf"|(?P<start>{_STARTS})|(?P<end>{_ENDS})|(?P<future>{_FUTURE}))\b",
    re.IGNORECASE,
)
# A first name and a surname (or more names): the surname is what reports share.
# (Overlapping: "Kyrgyzstan Almazbek Toktogulov" holds two pairs.)
_PERSON = re.compile(r"\b([A-Z][a-z]+)(?:\s+[A-Z]\.)?\s+(?=([A-Z][a-z]{2,})\b(?![\w-]))")
_OPENING_PARAGRAPHS = 2  # what a listing summary or teaser of an article draws on
# The outlet an interview or comment was given to: the first word of its name.
# ("Interview of the Secretary General Nikolai Bordyuzha to Rossiyskaya Gazeta".)
_INTERVIEWER = re.compile(
    r"\b(?:[Ii]nterview|commentary|comment|remarks)(?:\s+of\s+[^.,;:]{0,80}?)?\s+(?:with|to|for)"
    r"\s+(?:the\s+)?[“\"«]?([A-Z][\w.-]+(?:\s+[A-Z][\w.-]+)?)"
    r"|\b(?:told|telling)\s+(?:the\s+)?[“\"«]?([A-Z][\w.-]+(?:\s+[A-Z][\w.-]+)?)"
)
# The last word of an outlet's name the brands do not list ("Rossiyskaya Gazeta").
_OUTLET_WORDS = frozenset(
    "gazeta gazette times news pravda post daily herald tribune express vedomosti "  # noqa: SIM905
    "izvestia kommersant segodnya today inform journal observer".split()
)
_RELATIVE_FUTURE = re.compile(r",?\s+(?:which|that|who)\s+will\b[^,;.]*", re.IGNORECASE)
# A title that quotes its speaker ("Kuzmenko: the forces will hold ..."): what it says
# will happen is the speaker's plan, not the moment of the event reported.
_QUOTE_HEADLINE = re.compile(r"^[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}\s*:\s")
_OPENING_LEAD = 400  # characters of the lead: its opening sentences
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s")


def _outlet(words: str) -> str:
    """The news outlet `words` (one or two) name ("Sputnik", "Cronos.Asia", "Rossiyskaya
    Gazeta": its first word), or "" (an interview "with the Chief of the Joint Staff"
    was given by him, not to an outlet)."""
    word, *rest = words.rstrip(".").split()
    if rest and rest[0].rstrip(".") in _OUTLET_WORDS:
        return word
    return next((name for name in (word, re.split(r"[.-]", word)[0]) if name in BRANDS), "")


def _opens_sentence(text: str, start: int) -> bool:
    """True when the word at `start` opens a sentence (so its capital says nothing)."""
    before = text[max(0, start - 5) : start].rstrip()
    # A quotation mark opens a sentence only where one could start: "... Forces
    # "Interaction-2017"" quotes a name mid-sentence.
    if before and before[-1] in '"“«(':
        before = before[:-1].rstrip()
    return not before or before[-1] in '.!?:;"“«(–—-•'


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A light stem, so "trainings" and "training", "held" forms, meet."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Signature:
    """An item's evidence for story grouping: names (capitalised words past a
    sentence's start, acronyms), numbers, quoted phrases, stemmed content words, and
    what its opening sentence says of the event."""

    names: frozenset[str]
    numbers: frozenset[str]
    quotes: frozenset[str]
    words: frozenset[str]
    # What its opening says of the event's moment: "start" (an opening), "end" (a final
    # stage, results), "future" (an announcement): one event's reports agree on it.
    phase: frozenset[str] = frozenset()
    # The people its opening names ("Almazbek Toktogulov": the surname of a first name
    # and a surname): another report of the event names them too.
    people: frozenset[str] = frozenset()
    # The day its opening says the event happened on ("On 24 June, ...", as "MM-DD"):
    # the days of one visit are different events.
    event_day: frozenset[str] = frozenset()
    # Whom the interview or comment it opens with was given to ("an interview with
    # Sputnik", "told TASS"): interviews to two outlets are two events.
    interviewer: frozenset[str] = frozenset()
    # The content words of its title and first paragraphs: what a summary of it says.
    opening_words: frozenset[str] = frozenset()
    # The standing bodies ("the Council of Foreign Ministers") and the events named with
    # their year ("Interaction-2013") its opening reports on: the reports of one
    # session or exercise on one day are one event, whoever they quote.
    occasions: frozenset[str] = frozenset()
    # The day and month of the dateline it opens with ("Moscow. June 14. INTERFAX -",
    # as "MM-DD"), even with no year anywhere: its event is days from it.
    dateline_day: frozenset[str] = frozenset()
    # Its own date (as its page or text gives it, whatever its story or a user makes of
    # it) and where that comes from (a `DateSource` value, "" for none).
    own_day: date | None = None
    own_source: str = ""
    # Its date is a day and month whose year the text does not write next to it: a
    # guess its story may correct (see `feeder.parse.dates`).
    year_guessed: bool = False

    @cached_property
    def specific(self) -> frozenset[str]:
        """The terms that tell one event from another: names, numbers, quotes."""
        return (
            frozenset(f"n:{n}" for n in self.names)
            | frozenset(f"#:{n}" for n in self.numbers)
            | frozenset(f"q:{q}" for q in self.quotes)
        )

    def to_json(self) -> str:
        data: dict[str, object] = {name: sorted(getattr(self, name)) for name in _SETS}
        own = self.own_day.isoformat() if self.own_day else None
        scalars = {"own_day": own, "own_source": self.own_source, "year_guessed": self.year_guessed}
        return json.dumps(data | scalars, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Signature:
        data = json.loads(text)
        sets = {name: frozenset(data.get(name, ())) for name in _SETS}
        own = data.get("own_day")
        return cls(
            **sets,
            own_day=date.fromisoformat(own) if own else None,
            own_source=str(data.get("own_source") or ""),
            year_guessed=bool(data.get("year_guessed")),
        )


_SCALARS = ("own_day", "own_source", "year_guessed")
_SETS = [field.name for field in fields(Signature) if field.name not in _SCALARS]


def signature(
    title: str,
    blocks: Sequence[Block],
    own_day: date | None = None,
    own_source: str = "",
    year_guessed: bool = False,
) -> Signature:
    """The signature of an item's title and text, with its own date (see `Signature`)."""
    paragraphs = [block.text for block in blocks if block.kind == "p"]
    headings = [block.text for block in blocks if block.kind != "p"]
    lead = paragraphs[0] if paragraphs else ""
    # A listing's or teaser's title is the start of its lead: read once.
    heads = [] if lead.startswith(title.rstrip("…")) else [title]
    # Its title and first paragraphs first: the opening a summary of it draws on.
    texts = [*heads, *paragraphs, *headings]
    names, numbers, quotes, words, opening_words = _terms(texts, len(heads) + _OPENING_PARAGRAPHS)
    people = frozenset(
        match.group(2).casefold() for text in (*heads, lead) for match in _people(text)
    )
    # "... Rubezh-2025, which will be held in ...": a clause about something else.
    opening = first_sentence(after_dateline(lead)) if lead else ""
    opening = _RELATIVE_FUTURE.sub("", opening)
    said = [head for head in heads if not _QUOTE_HEADLINE.match(head)]
    phase = frozenset(_moments(" ".join([*said, opening])))
    day = event_day(opening)
    # The lead may name the outlet in its second sentence ("..., told Interfax about").
    interviewer = frozenset(
        outlet
        for text in (*heads, _RELATIVE_FUTURE.sub("", after_dateline(lead)))
        for match in _INTERVIEWER.finditer(text)
        if (outlet := _outlet((match.group(1) or match.group(2)).casefold()))
    )
    wired = dateline_day(title, paragraphs)
    opening_text = " ".join([*heads, lead[:_OPENING_LEAD]])
    occasions = frozenset(occasions_of(opening_text, _first_names(opening_text)))
    return Signature(
        names, numbers, quotes, words, phase, people, frozenset([day] if day else ()),
        interviewer, opening_words, occasions, frozenset([wired] if wired else ()), own_day,
        own_source, year_guessed,
    )  # fmt: skip


_Sets = frozenset[str]


def _terms(texts: Sequence[str], opening: int) -> tuple[_Sets, _Sets, _Sets, _Sets, _Sets]:
    """The names, numbers, quoted phrases and content words of `texts`, and the content
    words of the first `opening` of them."""
    names: set[str] = set()
    quotes: set[str] = set()
    tokens: list[set[str]] = []
    for text in texts:
        tokens.append(set(_TOKEN.findall(text)))
        for quoted in _QUOTED.findall(text):
            quoted = quoted.strip().casefold()
            # A quoted name ("Interaction-2017") is the name others write unquoted.
            (names if len(quoted.split()) == 1 else quotes).add(quoted)
        names.update(_names(text))
    head = set().union(*tokens[:opening])
    rest = set().union(*tokens[opening:]) - head
    opening_words = _words(head)
    numbers = {
        number.replace(",", "")
        for token in head | rest
        if token[0].isdigit()
        for number in _NUMBER.findall(token)
        if len(number) >= 2 and not _YEAR.fullmatch(number)
    } | {number for token in head | rest if (number := NUMBER_WORDS.get(token.casefold()))}
    words = opening_words | _words(rest)
    return frozenset(names), frozenset(numbers), frozenset(quotes), words, opening_words


def _fold(token: str) -> str:
    return token.casefold().strip(".'’").removesuffix("'s").removesuffix("’s")


@lru_cache(maxsize=131072)
def _content_word(token: str) -> str:
    """The stemmed content word `token` is, or "" (a short word, a stopword, a number)."""
    word = _fold(token)
    if len(word) >= 4 and word.isalpha() and word not in STOPWORDS:
        return _stem(word)
    return ""


def _words(tokens: Iterable[str]) -> frozenset[str]:
    """The stemmed content words among `tokens`."""
    words = {_content_word(token) for token in tokens}
    words.discard("")
    return frozenset(words)


def _names(text: str) -> Iterator[str]:
    """The names `text` gives: capitalised words past a sentence's start, but common
    ones, first names, outlets' names and the names in lists of four or more."""
    first_names = _first_names(text)
    # Names in a list of four or more ("Armenia, Belarus, Kazakhstan and Russia") are
    # boilerplate: they tell no event from another.
    lists = (
        [(a, b) for a, b, items in enumerations(text) if items >= 4] if text.count(",") >= 2 else []
    )
    for match in _CAPITALISED.finditer(text):
        start, folded = match.start(), _fold(match.group())
        if (
            folded not in COMMON_NAMES
            and len(folded) > 2
            and start not in first_names
            and not _opens_sentence(text, start)
            and not _outlet(folded)  # "Sputnik reports": which outlet, not which event
            and not any(a <= start < b for a, b in lists)
        ):
            yield COUNTRY_OF.get(folded, folded)


def _moments(text: str) -> Iterator[str]:
    """The moments of an event `text` names: "start", "end", "future", "day:second"."""
    for match in _MOMENTS.finditer(text):
        if day := match.group("day"):
            yield f"day:{day.casefold()}"
            if day.casefold() == "final":
                yield "end"
        elif match.lastgroup:
            yield match.lastgroup


def _people(text: str) -> Iterator[re.Match[str]]:
    """The people `text` names by first name and surname (the last two words of a run
    of names: "Kyrgyzstan Almazbek Toktogulov" is Almazbek Toktogulov)."""
    for match in _PERSON.finditer(text):
        pair = {match.group(1).casefold(), match.group(2).casefold()}
        if pair & NOT_PEOPLE or pair & COUNTRIES or _NEXT_NAME.match(text, match.end(2)):
            continue
        yield match


def _first_names(text: str) -> set[int]:
    """Where the first names of people start ("Imangali" of "Imangali Tasmagambetov"):
    a person is one name, the surname, which every report of them uses."""
    return {match.start(1) for match in _people(text)}


# A capitalised word after a name: the name runs on.
_NEXT_NAME = re.compile(r"\s+[A-Z][a-z]")


def specific_terms(signatures: Iterable[Signature]) -> set[str]:
    """Every specific term of these signatures (what the story index is keyed on)."""
    return {term for sig in signatures for term in sig.specific}
