"""What a user decides about stories and dates (`feeder story`, `feeder date`), applied
in one transaction and recorded, so re-grouping and re-parsing keep it.

A story's lead stays its lead: its id is the feed entry readers already have. A report
taken out of a story it led hands the rest to their first-stored report.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, tzinfo

from feeder.refresh.stories import StoryChanges, StoryStep
from feeder.store import StoreWriter
from feeder.stories import Override


def join_story(
    writer: StoreWriter, zone: tzinfo, now: datetime, key: str, other: str
) -> StoryChanges:
    """Put the item `key` in the story of the item `other` (both stored)."""
    stories = writer.stories
    ids = stories.ids_of([key, other])
    item, target = ids[key], ids[other]
    # Recorded both ways: whichever of the two a re-grouping places second joins the other.
    for one, two in ((key, other), (other, key)):
        _decide(writer, one, with_key=two, alone=False)
    leads = stories.lead_of([item, target])
    before, after = leads[item], leads[target]
    if before == after:
        return StoryChanges()
    touched = {before, after} | hand_over(writer, item)
    stories.set_lead([item], after)
    return StoryStep(writer, zone, now, shown_through=now).settle(touched, changed=True)


def leave_story(writer: StoreWriter, zone: tzinfo, now: datetime, key: str) -> StoryChanges:
    """Make the item `key` a story of its own, which no report joins."""
    stories = writer.stories
    item = stories.ids_of([key])[key]
    for other, override in stories.overrides().items():  # undo a merge it was part of
        if override.with_key == key:
            _decide(writer, other, with_key=None)
    _decide(writer, key, with_key=None, alone=True)
    lead = stories.lead_of([item])[item]
    touched = {lead, item} | hand_over(writer, item)
    stories.set_lead([item], item)
    return StoryStep(writer, zone, now, shown_through=now).settle(touched, changed=True)


def set_date(
    writer: StoreWriter, zone: tzinfo, now: datetime, key: str, day: date | None
) -> StoryChanges:
    """Date the item `key` by hand (None: give it back the date of its text or story)."""
    stories = writer.stories
    item = stories.ids_of([key])[key]
    _decide(writer, key, day=day)
    lead = stories.lead_of([item])[item]
    return StoryStep(writer, zone, now, shown_through=now).settle({lead}, changed=True)


def _decide(writer: StoreWriter, key: str, **decision: object) -> None:
    """Change some of the user's decisions about `key`, keeping the others."""
    current = writer.stories.overrides([key]).get(key, Override())
    writer.stories.set_override(key, replace(current, **decision))  # type: ignore[arg-type]


def hand_over(writer: StoreWriter, item: int) -> set[int]:
    """When `item` leads a story, make its first-stored other report lead the rest;
    the new lead, if any."""
    stories = writer.stories
    story = stories.stories([item]).get(item, [])
    rest = [report.item_id for report in story if report.item_id != item]
    if not rest:
        return set()
    stories.set_lead(rest, rest[0])
    return {rest[0]}
