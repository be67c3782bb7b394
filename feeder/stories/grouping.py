"""Which story each report joins: single-pass grouping, the way news tracking has long
done it. Reports are taken in order; each joins the story of the most alike earlier
report when they are alike enough and their dates allow one event, or starts a story
of its own. A story's first-stored report leads it for good. Pure, no I/O.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from feeder.stories.likeness import (
    DAY_WINDOW,
    PAGE_DAY_WINDOW,
    Likeness,
    days_agree,
    event_date,
    likeness,
)
from feeder.stories.signature import Signature

# Alike enough to be one event: most of the smaller report's specific terms (weighted by
# how rare they are), and a good part of its content words, are in the other.
SPECIFIC_SHARE = 0.4
WORD_SHARE = 0.35
MIN_SPECIFIC = 2  # shared names, numbers or quotes
STRONG_SHARE, STRONG_SPECIFIC, STRONG_WORD_SHARE = 0.75, 3, 0.1
# A near copy (most of the smaller report's words) of a report dated alike needs one
# name or number in common: agency rewrites of a short note keep few names.
COPY_WORD_SHARE = 0.8


@dataclass(frozen=True)
class Report:
    """An item as grouping sees it."""

    item_id: int
    key: str
    signature: Signature
    day: date | None  # its date, when it has one of its own
    soft: bool = False  # the year of `day` is a guess (a dateline's day and month)
    lead: int | None = None  # its story's lead, when it is stored in one already
    context: bool = False  # `day` is a dateline's or lead's day and month, not a page's

    @functools.cached_property
    def event(self) -> date | None:
        """The day its event happened on (see `event_date`), worked out once: a report
        is compared with many candidates."""
        return event_date(self.day, self.signature)

    @functools.cached_property
    def firm_event(self) -> int | None:
        """The day number (`date.toordinal`) of `event` when its year is no guess:
        what the date test of most candidates compares."""
        event = self.event
        return None if event is None or self.soft else event.toordinal()

    def in_story(self, lead: int) -> Report:
        """This report, placed in the story led by `lead` (`dataclasses.replace`, at a
        fifth of its cost: grouping places every report of a refresh)."""
        return Report(self.item_id, self.key, self.signature, self.day, self.soft, lead,
                      self.context)  # fmt: skip


@dataclass(frozen=True)
class Override:
    """What a user decided for an item: join the story of `with_key`, or stand alone;
    and its date."""

    with_key: str | None = None
    alone: bool = False
    day: date | None = None


@dataclass(frozen=True)
class Placement:
    """The story a report joins (`lead` is its own id for a story of its own), and why."""

    item_id: int
    lead: int
    because: str


@dataclass
class Grouping:
    """The reports already placed, with an index of their specific terms, and the
    rarity of each term (rarer names tell events apart better)."""

    term_counts: Mapping[str, int]  # in how many stored reports each term occurs
    total: int  # how many reports the counts are of
    reports: dict[int, Report] = field(default_factory=dict)
    by_term: dict[str, list[int]] = field(default_factory=dict)
    by_key: dict[str, int] = field(default_factory=dict)
    stories: dict[int, list[int]] = field(default_factory=dict)  # lead -> its reports
    alone: set[str] = field(default_factory=set)  # keys set apart by hand: none joins them

    def add(self, report: Report, lead: int) -> None:
        placed = report.in_story(lead)
        self.reports[report.item_id] = placed
        self.by_key[report.key] = report.item_id
        self.stories.setdefault(lead, []).append(report.item_id)
        for term in report.signature.specific:
            self.by_term.setdefault(term, []).append(report.item_id)

    _weights: dict[str, float] = field(default_factory=dict)
    _sums: dict[int, float] = field(default_factory=dict)

    def weight(self, term: str) -> float:
        """How much sharing `term` says: the rarer, the more (an inverse frequency)."""
        if (known := self._weights.get(term)) is None:
            known = math.log(1 + (self.total + 1) / (self.term_counts.get(term, 0) + 1))
            self._weights[term] = known
        return known

    def weight_of(self, report: Report) -> float:
        """The weight of all of a report's specific terms."""
        if (known := self._sums.get(report.item_id)) is None:
            known = sum(self.weight(term) for term in report.signature.specific)
            self._sums[report.item_id] = known
        return known

    def sharing(self, report: Report) -> Counter[int]:
        """The placed reports sharing specific terms with `report`, and how many."""
        counts: Counter[int] = Counter()
        for term in report.signature.specific:
            counts.update(self.by_term.get(term, ()))
        counts.pop(report.item_id, None)
        return counts


def place(report: Report, grouping: Grouping, override: Override | None = None) -> Placement:
    """The story `report` joins, given the reports placed before it."""
    if override and override.alone:
        return Placement(report.item_id, report.item_id, "a story of its own, set by hand")
    if override and override.with_key and override.with_key in grouping.by_key:
        other = grouping.reports[grouping.by_key[override.with_key]]
        return Placement(report.item_id, other.lead or other.item_id, "merged by hand")
    best: tuple[float, Report, Likeness, str] | None = None
    reports, alone = grouping.reports, grouping.alone
    undated, firm = report.day is None, report.firm_event
    for other_id, shared in grouping.sharing(report).items():
        other = reports[other_id]
        # The cheap tests first: most candidates share a name or two and nothing more.
        dated = not undated and other.day is not None
        if shared < (1 if dated else MIN_SPECIFIC) or other.key in alone:
            continue
        # Most candidates fail on their dates: for two firm dates, `_dates_allow`'s test
        # runs inline (a guessed year goes the long way).
        other_firm = other.firm_event
        if firm is not None and other_firm is not None:
            window = DAY_WINDOW if report.context or other.context else PAGE_DAY_WINDOW
            if abs(firm - other_firm) > window:
                continue
        elif not _dates_allow(report, other) or not _month_days_allow(report, other):
            continue
        # With no date to tell them apart, reports of two bodies' sessions stay apart.
        if not dated and _other_occasions(report.signature, other.signature):
            continue
        share = _weighted_share(report, other, grouping)
        # Reports of one body's session, or of one exercise or operation named with its
        # year ("Interaction-2013"), on one day may each quote their own delegate or
        # unit: the body or name and the day are what they share.
        session = _same_day(report, other) and _one_session(report, other)
        if share < SPECIFIC_SHARE and not session:
            continue
        alike = likeness(report.signature, other.signature)
        # A near copy of a report dated alike needs only one name or number in common,
        # and brings none of its own the other lacks (two notes of one template on
        # different countries or report numbers are not copies of each other).
        # One interview to one outlet by one person, or one body's session, is a
        # specific fact shared (the outlet's or body's name is not among the names).
        interview = _same_interview(report.signature, other.signature)
        if interview:  # any part of an interview may be what a note retells
            alike = likeness(report.signature, other.signature, whole=True)
        if (
            shared < MIN_SPECIFIC
            and not (interview or session)
            and not _near_copy(report.signature, other.signature, alike)
        ):
            continue
        # Fewer words in common will do when most of the names, numbers and quotes are:
        # a rewrite retells an interview in its own words, keeping who and what.
        strong = dated and share >= STRONG_SHARE and alike.specific >= STRONG_SPECIFIC
        strong = strong or interview or session
        if alike.word_share < (STRONG_WORD_SHARE if strong else WORD_SHARE):
            continue
        # Alike enough to one report; a different event to none of its story's.
        story = grouping.stories.get(other.lead or other.item_id, [other.item_id])
        if any(_different_events(report, grouping.reports[member]) for member in story):
            continue
        score = (share + alike.word_share) / 2
        # Equal scores go to the report stored first: candidates come in the order of
        # a set of terms, which differs from one process to the next.
        if best is None or (score, -other.item_id) > (best[0], -best[1].item_id):
            shared_occasion = (
                ", one interview" if interview else ", one session that day" if session else ""
            )
            best = (score, other, alike, shared_occasion)
    if best is None:
        return Placement(report.item_id, report.item_id, "no earlier report of the event")
    score, other, alike, occasion = best
    because = (
        f"like {other.key} ({alike.specific} names, numbers or quotes{occasion} and "
        f"{alike.word_share:.0%} of the words shared; score {score:.2f})"
    )
    return Placement(report.item_id, other.lead or other.item_id, because)


def group(
    reports: Sequence[Report],
    grouping: Grouping,
    overrides: Mapping[str, Override] | None = None,
) -> list[Placement]:
    """Place `reports` in order (each may join one placed before it), adding each to
    `grouping` as it is placed."""
    placements = []
    for report in reports:
        placement = place(report, grouping, (overrides or {}).get(report.key))
        grouping.add(report, placement.lead)
        placements.append(placement)
    return placements


def _same_day(one: Report, other: Report) -> bool:
    """True when both reports' events fall on one day (a guessed year, or a yearless
    dateline: the day and month)."""
    if one.event is None or other.event is None:
        wired = one.signature.dateline_day or other.signature.dateline_day
        return bool(wired) and None is not _month_day(one) == _month_day(other)
    if one.soft or other.soft:
        return one.event.timetuple()[1:3] == other.event.timetuple()[1:3]
    return one.event == other.event


def _other_occasions(one: Signature, other: Signature) -> bool:
    """True when both reports open on standing bodies' sessions or named events, and
    none the same."""
    return bool(one.occasions and other.occasions and one.occasions.isdisjoint(other.occasions))


def _one_session(one: Report, other: Report) -> bool:
    """True when both reports open on one body's session or one named event."""
    return not one.signature.occasions.isdisjoint(other.signature.occasions)


def _near_copy(one: Signature, other: Signature, alike: Likeness) -> bool:
    """True when most of the smaller report's words are in the other and one side's
    names and numbers are all in the other."""
    if alike.word_share < COPY_WORD_SHARE:
        return False
    return one.specific <= other.specific or other.specific <= one.specific


def _weighted_share(one: Report, other: Report, grouping: Grouping) -> float:
    """The specific terms both have, weighted by rarity, as a share of the smaller side."""
    smaller = min(grouping.weight_of(one), grouping.weight_of(other))
    if not smaller:
        return 0.0
    shared = one.signature.specific & other.signature.specific
    return sum(grouping.weight(term) for term in shared) / smaller


def _phases_differ(one: Signature, other: Signature, days_apart: bool) -> bool:
    """True when two reports open on different moments of an event: its opening and
    its final stage, or an announcement and a report of what happened; on different
    days, a moment one names and the other does not (the closing and, the day
    before, the live firing)."""
    a, b = one.phase, other.phase
    if days_apart and a != b:
        return True
    return ("future" in a) != ("future" in b) or ({"start", "end"} <= a | b and a != b)


def _names_people(one: Signature, other: Signature) -> bool:
    """False when each report's opening names someone the other never does: one
    official on one day at two meetings differs in whom they met (a rewrite may name
    a spokesman its original does not; the original then names no one new)."""
    if one.people.isdisjoint(other.people):
        return True
    return one.people <= other.names or other.people <= one.names


def _same_interview(one: Signature, other: Signature) -> bool:
    """True when both open with an interview to one outlet by one person."""
    return bool(one.interviewer & other.interviewer and one.people & other.people)


def _days_differ(one: Signature, other: Signature) -> bool:
    """True when both reports open on the day of their event, and the days differ."""
    return bool(one.event_day and other.event_day and one.event_day != other.event_day)


def _month_day(report: Report) -> tuple[int, int] | None:
    """The month and day of a report's event: its date's, else its dateline's."""
    if report.event is not None:
        return report.event.month, report.event.day
    if report.signature.dateline_day:
        month, day = min(report.signature.dateline_day).split("-")
        return int(month), int(day)
    return None


def _month_days_allow(one: Report, other: Report) -> bool:
    """True unless a report dated only by a yearless dateline ("June 14. INTERFAX -")
    lies more than `DAY_WINDOW` days, in any year, from the other's event."""
    if (one.day is not None and other.day is not None) or not (
        one.signature.dateline_day or other.signature.dateline_day
    ):
        return True
    a, b = _month_day(one), _month_day(other)
    if a is None or b is None:
        return True
    apart = abs(date(2000, *a).toordinal() - date(2000, *b).toordinal())  # a leap year
    return min(apart, 366 - apart) <= DAY_WINDOW


def _dates_allow(one: Report, other: Report) -> bool:
    """True when two reports' dates allow one event (see `days_agree`)."""
    pages = not (one.context or other.context)
    return days_agree(one.event, other.event, one.soft or other.soft, pages)


def _different_events(one: Report, other: Report) -> bool:
    """True when two reports cannot be of one event: their dates lie apart, they open
    on different days or moments of it, each names someone the other does not, or
    they open with interviews given to different outlets."""
    if not _dates_allow(one, other) or not _month_days_allow(one, other):
        return True
    one_day, other_day = one.event, other.event
    # (A guessed year says nothing: the day and month then tell the days apart.)
    soft = one.soft or other.soft
    days_apart = bool(
        one_day and other_day
        and (one_day.timetuple()[1:3] if soft else one_day)
        != (other_day.timetuple()[1:3] if soft else other_day)
    )  # fmt: skip
    return (
        _phases_differ(one.signature, other.signature, days_apart)
        or not _names_people(one.signature, other.signature)
        or _days_differ(one.signature, other.signature)
        or bool(
            one.signature.interviewer
            and other.signature.interviewer
            and one.signature.interviewer.isdisjoint(other.signature.interviewer)
        )
    )
