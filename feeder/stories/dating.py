"""Dates reports take from their story: an undated report is dated as its story, and
a dateline's day and month get the year of the story they report. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from feeder.model import DateSource
from feeder.stories.grouping import Override
from feeder.stories.likeness import DAY_WINDOW

# Dates a report states for itself, and those that are only its text's best guess.
_STATED = (DateSource.EXPLICIT, DateSource.TEXT, DateSource.SET)


@dataclass(frozen=True)
class Dating:
    """A report's date as its story's members and the user's overrides give it."""

    key: str
    day: date | None
    source: DateSource
    year_guessed: bool = False  # a `context` day whose year is not written next to it


def date_story(
    reports: Sequence[Dating], overrides: Mapping[str, Override] | None = None
) -> list[Dating]:
    """Each report's date within its story: its own (or the one set by hand), else the
    story's (the earliest stated date of its reports, else the earliest from a
    dateline), else none. A guessed year of a day and month yields to a stated date
    of the story falling within days of the same day and month."""
    own = []
    for report in reports:
        override = (overrides or {}).get(report.key)
        if override and override.day:
            own.append(Dating(report.key, override.day, DateSource.SET))
        elif report.day and report.source not in (DateSource.STORY, DateSource.FIRST_SEEN):
            own.append(report)
        else:
            own.append(Dating(report.key, None, DateSource.FIRST_SEEN))
    stated = [r.day for r in own if r.day and r.source in _STATED]
    guessed = [r.day for r in own if r.day and r.source is DateSource.CONTEXT]
    story_day = min(stated or guessed, default=None)
    dated = []
    for report in own:
        if report.day is None:
            source = DateSource.STORY if story_day else DateSource.FIRST_SEEN
            dated.append(Dating(report.key, story_day, source))
        elif report.source is DateSource.CONTEXT and report.year_guessed and stated:
            moved = _nearest_year(report.day, min(stated))
            dated.append(Dating(report.key, moved, report.source, report.year_guessed))
        else:
            dated.append(report)
    return dated


def _nearest_year(day: date, story_day: date) -> date:
    """`day`'s day and month in the year that puts it nearest `story_day`, when that is
    within days of it; else `day` as it is."""
    for year in (story_day.year, story_day.year - 1, story_day.year + 1):
        try:
            moved = day.replace(year=year)
        except ValueError:  # 29 February
            continue
        if abs((moved - story_day).days) <= DAY_WINDOW:
            return moved
    return day
