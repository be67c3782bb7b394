"""Find calendar dates in capture text. Pure functions, no I/O."""

from __future__ import annotations

import re
from datetime import date

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
