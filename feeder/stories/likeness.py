"""How alike two reports are, and whether their dates allow them to be one event.
Pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from feeder.stories.signature import Signature

# Reports of one event are dated within days of each other: the pages that date them
# (a listing and its article, an outlet's rewrite the next day) within two, and a
# dateline, which may date the report rather than the event, within three.
DAY_WINDOW = 3
PAGE_DAY_WINDOW = 2
_LONGER = 3  # a report this many times longer than another is compared by its opening


@dataclass(frozen=True)
class Likeness:
    """What two signatures share: their specific terms, and their content words, each
    as a share of the smaller side (a listing summary lies inside its article)."""

    specific: int  # names, numbers and quotes both have
    specific_share: float
    word_share: float

    @property
    def score(self) -> float:
        return round((self.specific_share + self.word_share) / 2, 3)


def likeness(one: Signature, other: Signature, whole: bool = False) -> Likeness:
    """The overlap of two signatures, relative to the smaller one (`whole`: against all
    of a long report, not its opening: a note drawn from a later part of an interview)."""
    a, b = one.specific, other.specific
    shared = len(a & b)
    specific_share = shared / min(len(a), len(b)) if a and b else 0.0
    small, large = (one, other) if len(one.words) <= len(other.words) else (other, one)
    # A short report beside a long one is its summary when it says what the long one
    # opens with; anything short would otherwise lie inside a long interview.
    longer = not whole and len(large.words) > _LONGER * len(small.words)
    against = large.opening_words if longer else large.words
    word_share = len(small.words & against) / len(small.words) if small.words else 0.0
    return Likeness(shared, round(specific_share, 3), round(word_share, 3))


def days_agree(
    one: date | None, other: date | None, soft: bool = False, pages: bool = False
) -> bool:
    """True when two reports' dates allow one event: either is undated, or they lie
    within `DAY_WINDOW` days (`PAGE_DAY_WINDOW` when both are dates their pages give,
    `pages`). `soft`: a date whose year is a guess agrees with one of the same day and
    month in any year."""
    if one is None or other is None:
        return True
    if soft:
        one = one.replace(year=other.year) if (one.month, one.day) != (2, 29) else one
    return abs((one - other).days) <= (PAGE_DAY_WINDOW if pages else DAY_WINDOW)


def event_date(day: date | None, signature: Signature) -> date | None:
    """The day a report's event happened on: the day and month its opening states ("On
    8 September, ...": a listing may be posted days after the event), when that falls
    within days before `day`; else `day` (an announcement's event day is ahead of it)."""
    if day is None or not signature.event_day:
        return day
    month, number = (int(part) for part in min(signature.event_day).split("-"))
    for year in (day.year, day.year - 1):
        try:
            moment = date(year, month, number)
        except ValueError:  # 29 February
            continue
        if timedelta(0) <= day - moment <= timedelta(days=2 * DAY_WINDOW):
            return moment
    return day
