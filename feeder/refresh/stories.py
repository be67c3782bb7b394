"""The story step of an ingest: place the items a batch stored or changed in stories,
date reports from their story, and keep each story's feed entry (its lead) tagged
with the topics of all its reports. Decisions are `feeder.stories`'; this executes
them in the batch's transaction.

    term counts and earlier reports sharing a term (store)
      | stories.group (pure: which story each report joins)
      | store.stories.save (story, signature, term index)
      | stories.date_story per touched story (pure) | store: dates, the lead's tags
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from feeder.config import ALL_FEED
from feeder.model import DateSource, ParsedItem
from feeder.refresh.decider import FUTURE_GRACE, calendar_day_start
from feeder.store import StoreWriter
from feeder.store.stories import StoredReport, StoryEntry
from feeder.stories import (
    Dating,
    Grouping,
    Override,
    Report,
    Signature,
    date_story,
    group,
    signature,
)
from feeder.stories.signature import specific_terms

# A term in more stored items than this finds no candidates (the Secretary General's
# name is in half the corpus): it still weighs in the likeness of candidates found
# through rarer terms.
TERM_CAP = 200
# Reports with a date of their own are placed first, oldest first: a story's first
# report is then its original, not an undated rewrite stored in the same batch.
_ORDER = {DateSource.EXPLICIT: 0, DateSource.TEXT: 0, DateSource.SET: 0, DateSource.CONTEXT: 1}


@dataclass(frozen=True)
class Fresh:
    """An item stored for the first time in this transaction, as stored."""

    key: str
    published: datetime
    tags: Mapping[str, str]


@dataclass
class StoryChanges:
    """What a story step changed: feeds to bump, items whose pages to render again."""

    feeds: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)


class StoryStep:
    """Stories for one transaction's items (see the module docstring)."""

    def __init__(
        self,
        writer: StoreWriter,
        zone: tzinfo,
        now: datetime,
        shown_through: datetime | None,
        sign: Callable[[ParsedItem], Signature] | None = None,
    ) -> None:
        """`shown_through`: the items first seen then or before are in the published
        files (None: none is). A report joining a story whose entry nobody was shown
        yet (a refresh killed before it published) leaves the entry's time alone.
        `sign`: how an item's signature is had (`sign_item`, or looked up)."""
        self.writer, self.zone, self.now = writer, zone, now
        self.shown_through = shown_through
        self.sign = sign or sign_item

    def place(
        self, items: Iterable[tuple[int, ParsedItem]], fresh: Mapping[int, Fresh] | None = None
    ) -> StoryChanges:
        """Place new or changed items (row id, as parsed) and settle their stories;
        `fresh`: the items stored for the first time (nothing to undo), by id."""
        fresh = fresh or {}
        stories = self.writer.stories
        reports = [
            Report(item_id, item.key, self.sign(item),
                   item.day if item.date_source in _ORDER else None,
                   item.year_guessed, context=item.date_source is DateSource.CONTEXT)
            for item_id, item in items
        ]  # fmt: skip
        if not reports:
            return StoryChanges()
        ids = [report.item_id for report in reports]
        before = stories.lead_of(ids)
        # A lead with other reports keeps leading its story: its id is the feed entry's.
        kept = stories.leading(set(ids) - set(fresh))
        terms = specific_terms(report.signature for report in reports)
        counts = stories.term_counts(terms)
        findable = {term for term in terms if counts.get(term, 0) <= TERM_CAP}
        for report in reports:  # the batch's own reports count towards rarity too
            for term in report.signature.specific:
                counts[term] = counts.get(term, 0) + 1
        # The user's decisions (few): whom a report was put with by hand, who stands alone.
        overrides = stories.overrides()
        grouping = Grouping(counts, stories.indexed() + len(reports))
        grouping.alone = {key for key, override in overrides.items() if override.alone}
        chosen = {override.with_key for report in reports
                  if (override := overrides.get(report.key)) and override.with_key}  # fmt: skip
        for stored in stories.reports_with(findable, besides=ids, keys=chosen):
            grouping.add(stored, stored.lead or stored.item_id)
        for report in reports:
            if report.item_id in kept:
                grouping.add(report, report.item_id)
        placing = sorted(
            (report for report in reports if report.item_id not in kept),
            key=lambda r: (_ORDER.get(_source(r), 2), r.day or date.max, r.key),
        )
        placements = group(placing, grouping, overrides)
        leads = {p.item_id: p.lead for p in placements} | {item: item for item in kept}
        stories.save(((r.item_id, leads[r.item_id], r.signature) for r in reports), fresh)
        # A new item that starts a story of its own (most of a first refresh) is dated and
        # tagged as its ingest stored it: its entry needs its tags, nothing more.
        joined = Counter(leads.values())
        alone = {lead for lead, count in joined.items()
                 if count == 1 and lead in fresh and fresh[lead].key not in overrides}  # fmt: skip
        changes = self._enter(alone, fresh)
        settled = self.settle(set(joined) - alone | set(before.values()) - alone, True, fresh)
        changes.feeds |= settled.feeds
        changes.keys |= settled.keys
        return changes

    def _enter(self, leads: Collection[int], fresh: Mapping[int, Fresh]) -> StoryChanges:
        """Tag new items that lead stories of their own with their own topics."""
        entries = [StoryEntry(lead, fresh[lead].key, fresh[lead].published, fresh[lead].tags)
                   for lead in leads]  # fmt: skip
        self.writer.stories.tag_stories(entries, untagged=leads)
        changes = StoryChanges()
        for entry in entries:
            changes.feeds |= {ALL_FEED, *entry.tags}
            changes.keys.add(entry.key)
        return changes

    def settle(
        self, leads: Collection[int], changed: bool = False, fresh: Collection[int] = ()
    ) -> StoryChanges:
        """Date the reports of these stories from one another, and tag each lead with
        every topic of its story. `changed`: the stories' reports are new or edited, so
        their feeds change whatever the dates and tags; `fresh`: ids of items stored
        for the first time (they carry no tags yet)."""
        changes = StoryChanges()
        stories = self.writer.stories.stories(leads)
        members = [r.item_id for reports in stories.values() for r in reports[1:]
                   if r.item_id not in fresh]  # fmt: skip
        for topics in self.writer.stories.untag(members).values():
            changes.feeds |= topics
        keys = {r.key for reports in stories.values() for r in reports}
        overrides = self.writer.stories.overrides(keys)
        dates: list[dict[str, Any]] = []
        entries: list[StoryEntry] = []
        for lead, reports in stories.items():
            changes.keys |= {r.key for r in reports}
            rows, moved = self._date(reports, overrides)
            dates += rows
            tags: dict[str, str] = {}
            for report in reports:  # the lead's own reasons first
                for slug, why in report.tags.items():
                    if report.item_id == lead:
                        tags.setdefault(slug, why)
                    else:
                        tags.setdefault(slug, f"also reported as {report.key}: {why}")
            head = reports[0]
            entries.append(StoryEntry(lead, head.key, moved.get(lead, head.published), tags))
        self.writer.stories.set_dates(dates)
        before = self.writer.stories.tag_stories(entries, untagged=fresh)
        for entry, head in zip(entries, (stories[e.lead][0] for e in entries), strict=True):
            had = before.get(entry.lead, set())
            if changed or had != set(entry.tags) or entry.published != head.published:
                changes.feeds |= {ALL_FEED, *had, *entry.tags}
        return changes

    def _date(
        self, reports: list[StoredReport], overrides: dict[str, Override]
    ) -> tuple[list[dict[str, Any]], dict[int, datetime]]:
        """The dates the story gives its reports (rows to write), and the new published
        times."""
        days = [self._own_day(r) for r in reports]
        dated = date_story(
            [Dating(r.key, day, r.own_source, r.year_guessed)
             for r, day in zip(reports, days, strict=True)],
            overrides,
        )  # fmt: skip
        rows, moved = [], {}
        # A report first seen, or edited, after the lead was published updates its entry.
        shown = self.shown_through is not None and reports[0].first_seen <= self.shown_through
        newest = max((max(r.first_seen, r.updated) for r in reports[1:]), default=None)
        newest = newest if shown else None
        for report, day, dating in zip(reports, days, dated, strict=True):
            # An exact time a feed gave stays exact; a calendar day starts at midnight.
            exact = report.exact and (dating.day, dating.source) == (day, DateSource.EXPLICIT)
            if exact:
                published = report.published
            else:
                published = _day_time(dating.day, report.first_seen, self.zone)
            edited = report.updated != report.published
            updated = max(report.updated, published) if edited else published
            if report is reports[0] and newest and newest > max(updated, report.first_seen):
                updated = newest
            stored_day = None if exact else dating.day
            if (stored_day, dating.source, published, updated) != (
                report.day, report.date_source, report.published, report.updated
            ):  # fmt: skip
                rows.append({"item_id": report.item_id, "day": stored_day,
                             "date_source": dating.source.value, "published": published,
                             "updated": updated})  # fmt: skip
                moved[report.item_id] = published
        return rows, moved

    def _own_day(self, report: StoredReport) -> date | None:
        """The calendar day a report's own date falls on (the zone's day of an exact
        time a feed gave)."""
        if report.exact:
            return report.published.astimezone(self.zone).date()
        return report.own_day


def sign_item(item: ParsedItem) -> Signature:
    """An item's story signature, from its text and its own date."""
    return signature(item.title, item.blocks, item.day, item.date_source.value, item.year_guessed)


def _source(report: Report) -> DateSource:
    if report.day is None:
        return DateSource.FIRST_SEEN
    return DateSource.CONTEXT if report.context else DateSource.EXPLICIT


def _day_time(day: date | None, first_seen: datetime, zone: tzinfo) -> datetime:
    """Midnight of `day` in `zone`, or when first seen for no day or one too far ahead."""
    if day is None:
        return first_seen
    moment = calendar_day_start(day, zone)
    return first_seen if moment > first_seen + FUTURE_GRACE else moment


def regroup_all(
    writer: StoreWriter,
    zone: tzinfo,
    now: datetime,
    shown_through: datetime | None,
    batch: int = 500,
) -> int:
    """Place every stored item in stories anew, in the order they were first stored
    (after the way of grouping or dating changed); returns how many were placed."""
    writer.stories.forget_all()
    step = StoryStep(writer, zone, now, shown_through)
    count = 0
    for rows in writer.stories.iter_in_storing_order(batch):
        step.place(rows)  # each with its own date as its text gives it now
        count += len(rows)
    return count


def settle_all(
    writer: StoreWriter,
    zone: tzinfo,
    now: datetime,
    shown_through: datetime | None,
    batch: int = 500,
) -> None:
    """Settle every story (after every item was re-tagged)."""
    step = StoryStep(writer, zone, now, shown_through)
    for leads in writer.stories.iter_leads(batch):
        step.settle(leads)
