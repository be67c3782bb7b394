"""Find calendar dates in capture text. Pure functions, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from feeder.model import DateSource

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})(?!\d)"

NUMERIC_DATE = re.compile(r"(?P<day>\d{2})\.(?P<month>\d{2})\.(?P<year>\d{4})")
_TEXT_DATES = [
    re.compile(r"(?<![\d.])" + NUMERIC_DATE.pattern + r"(?!\d|\.\d)"),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}", re.IGNORECASE),
]


def make_date(year: str, month: str, day: str) -> date | None:
    """The date for these parts, or None when it does not exist (31.02.2024)."""
    month_number = _MONTHS.get(month.lower()) if not month.isdigit() else int(month)
    try:
        return date(int(year), month_number or 0, int(day))
    except ValueError:
        return None


def parse_numeric_date(text: str) -> date | None:
    """Parse exactly `DD.MM.YYYY`; None for anything else or an impossible date."""
    match = NUMERIC_DATE.fullmatch(text)
    return make_date(match["year"], match["month"], match["day"]) if match else None


def first_text_date(text: str) -> date | None:
    """The first full date written in prose (`June 6, 2024`, `30 September 2024`, `30.05.2022`).

    Dates without a year do not count, and impossible dates are passed over.
    """
    found: list[tuple[int, date]] = []
    for pattern in _TEXT_DATES:
        for match in pattern.finditer(text):
            day = make_date(match["year"], match["month"], match["day"])
            if day is not None:
                found.append((match.start(), day))
                break
    return min(found)[1] if found else None


# A day and month with no year after them: "July 16", "20 December", "the 5th of May".
_DAY_MONTHS = [
    re.compile(rf"(?<![\w.]){_MONTH}\s+{_DAY}\b(?!,?\s+\d{{4}})", re.IGNORECASE),
    re.compile(rf"(?<![\w.]){_DAY}\s+(?:of\s+)?{_MONTH}(?!\w)(?!,?\s+\d{{4}})", re.IGNORECASE),
]
# A wire dateline opening a paragraph: "Moscow. July 16. INTERFAX.RU -",
# "BISHKEK, March 3 (AKIpress) -", "ASTANA, 4 December /Kazinform/ -",
# "YEREVAN, MARCH 1, ARMENPRESS.": the place, then the day and month.
_DATELINE_PLACE = re.compile(
    r"\s*[\"“]?[A-Z][\w'’.-]*(?:[ -][A-Z][\w'’-]*){0,2}(?:\s*/[^/\n]{2,30}/)?\s*[.,]\s+"
)
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
DATELINE = re.compile(
    _DATELINE_PLACE.pattern
    + rf"(?i:\d{{1,2}}\s+{_MONTH_NAME}|{_MONTH_NAME}\s+\d{{1,2}})(?:,?\s+\d{{4}})?\s*[.,]?\s*"
    r"(?:[-–—]|\(|/|[A-Z][A-Z.-]{3,})"
)
# Where the news starts after a dateline: past its dash, or past the agency's name.
_DATELINE_END = re.compile(r".{0,40}?\s[-–—]\s*|[^.]{0,40}?\.\s+")


def after_dateline(text: str) -> str:
    """`text` without the wire dateline that opens it, if one does."""
    opening = DATELINE.match(text)
    if opening is None:
        return text
    end = _DATELINE_END.match(text, opening.end() - 1)
    return text[end.end() :] if end else text


_YEAR_IN_TEXT = re.compile(r"(?<![\d.])(?:19[5-9]\d|20\d\d)(?!\d)")
# A year that is part of a name ("Rubezh-2024", "Indestructible Brotherhood - 2020")
# says less about when the item was written than one standing on its own ("In 2020").
_NAMED_YEAR = re.compile(r"[^\W\d_](?:[-–]| [-–] )$")
# Datelines open one of the first paragraphs; a day and month counts in the title or
# the lead only (deeper in a text it is more often another event's date).
_DATELINE_PARAGRAPHS = 3


def _day_month(text: str, at_start: bool) -> tuple[int, str, str] | None:
    """The first day and month without a year in `text`, as (position, month, day);
    with `at_start`, only one right after a dateline's place at the start."""
    start = 0
    if at_start:
        place = _DATELINE_PLACE.match(text)
        if place is None:
            return None
        start = place.end()
    found: list[tuple[int, str, str]] = []
    for pattern in _DAY_MONTHS:
        match = pattern.match(text, start) if at_start else pattern.search(text)
        if match:
            found.append((match.start(), match["month"], match["day"]))
    return min(found) if found else None


def _years(text: str) -> tuple[list[str], list[str]]:
    """The years written in `text`: those standing on their own, and those in names or
    plans ("Rubezh-2024", "the plan for 2020", "until 2030": a horizon, often ahead)."""
    standing: list[str] = []
    named: list[str] = []
    for match in _YEAR_IN_TEXT.finditer(text):
        before = text[max(0, match.start() - 24) : match.start()]
        horizon = _NAMED_YEAR.search(before[-3:]) or _PLAN_YEAR.search(before)
        (named if horizon else standing).append(match.group())
    return standing, named


_PLAN_YEAR = re.compile(
    r"\b(?:for|until|till|by|through|to|up\s+to)\s+(?:the\s+)?(?:year\s+)?$|[-–]$", re.IGNORECASE
)


def _commonest(years: list[str]) -> str | None:
    """The year written most often, the first written at a tie."""
    return max(years, key=lambda year: (years.count(year), -years.index(year))) if years else None


def _year_stated(near: str, texts: list[str]) -> tuple[str, bool] | None:
    """The year an item is written in, as its text states it, and whether that is a
    guess: one standing on its own next to its date (the dateline's paragraph, or the
    lead) is not; else the commonest in a name (exercises and plans carry the current
    year, or the next), else any other. Years elsewhere in a long text are as often
    history ("in 1945") as the present."""
    standing_near, _ = _years(near)
    if year := _commonest(standing_near):
        # Two different years next to the date: which one is the item's is a guess.
        return year, len(set(standing_near)) > 1
    standing, named = [], []
    for text in texts:
        more_standing, more_named = _years(text)
        standing += more_standing
        named += more_named
    year = _commonest(named) or _commonest(standing)
    return (year, True) if year else None


def context_date(
    title: str, paragraphs: list[str], datelines: bool = True
) -> tuple[date, bool] | None:
    """The date an undated item gives itself: a dateline's day and month (with
    `datelines`), else the first day and month of its title or lead (without), with
    the year stated elsewhere in it; and whether that year is a guess (not written
    next to the day and month)."""
    lead = paragraphs[0] if paragraphs else ""
    # Where to look, and the text whose years stand next to what is found there.
    if datelines:
        places = [(title, f"{title} {lead}"), *((p, p) for p in paragraphs[:_DATELINE_PARAGRAPHS])]
    else:
        places = [(title, f"{title} {lead}"), (lead, lead)]
    for text, near in places:
        if found := _day_month(text, at_start=datelines):
            stated = _year_stated(near, [title, *paragraphs])
            if stated is None:
                return None
            day = make_date(stated[0], found[1], found[2])
            return (day, stated[1]) if day else None
    return None


@dataclass(frozen=True)
class TextDate:
    """The date an item's own text gives it."""

    day: date
    context: bool  # a day and month, with the year from elsewhere in the text
    year_guessed: bool = False  # that year is not written next to the day and month


def undated_item_date(title: str, paragraphs: list[str]) -> TextDate | None:
    """The date an item without an explicit one takes from its own text: its dateline
    first (the date of the report itself), else the first full date written in it,
    else a day and month in its title or lead with the year stated elsewhere."""
    if (found := context_date(title, paragraphs)) is not None:
        return TextDate(found[0], True, found[1])
    if (day := first_text_date(" ".join([title, *paragraphs]))) is not None:
        return TextDate(day, False)
    if (found := context_date(title, paragraphs, datelines=False)) is not None:
        return TextDate(found[0], True, found[1])
    return None


def own_date(
    explicit: date | None, title: str, paragraphs: list[str]
) -> tuple[date | None, DateSource, bool]:
    """An item's own date, where it comes from, and whether its year is a guess: the
    page's date, else its text's (`undated_item_date`), else none (first seen)."""
    if explicit is not None:
        return explicit, DateSource.EXPLICIT, False
    if found := undated_item_date(title, paragraphs):
        source = DateSource.CONTEXT if found.context else DateSource.TEXT
        return found.day, source, found.year_guessed
    return None, DateSource.FIRST_SEEN, False


def dateline_day(title: str, paragraphs: list[str]) -> str | None:
    """The day and month ("MM-DD") of the wire dateline an item opens with ("Moscow.
    June 14. INTERFAX -"), whether or not a year is written anywhere: an undated
    report's event is days from it, whatever the year."""
    for text in (title, *paragraphs[:_DATELINE_PARAGRAPHS]):
        if found := _day_month(text, at_start=True):
            day = make_date("2000", found[1], found[2])  # a leap year: 29 February
            return f"{day.month:02d}-{day.day:02d}" if day else None
    return None


def event_day(sentence: str) -> str | None:
    """The day and month ("MM-DD") a sentence says its event happened on, when it
    opens with one ("On 24 June, ...", "On June 24, 2025, ..."), or None."""
    opening = _ON.match(sentence)
    if opening is None:
        return None
    for pattern in _EVENT_DAYS:
        if match := pattern.match(sentence, opening.end()):
            day = make_date("2000", match["month"], match["day"])  # a leap year: 29 February
            return f"{day.month:02d}-{day.day:02d}" if day else None
    return None


_ON = re.compile(r"\s*(?:on|from)\s+", re.IGNORECASE)
_EVENT_DAYS = [
    re.compile(rf"{_MONTH}\s+{_DAY}\b", re.IGNORECASE),
    re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH}(?!\w)", re.IGNORECASE),
]
