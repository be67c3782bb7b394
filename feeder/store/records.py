"""The named rows the store's reads return, and the story records it reads and writes.
The rows are NamedTuples, so code that still unpacks them as tuples keeps working."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from feeder.model import DateSource, OtherReport, ParsedItem


class Lease(NamedTuple):
    """Who scans a source, or scanned it last, from when until when."""

    holder: str
    since: datetime
    until: datetime  # free from this moment


class RecordedListing(NamedTuple):
    """What a rescan compares a folder's listing against."""

    value: str | None  # the listing recorded under its meta name, if any
    files: int  # how many files of the source have a scan state


class FeedVersion(NamedTuple):
    """A feed's entries' version, and when it last moved (None before it had any)."""

    version: int
    changed_at: datetime | None


class Sighting(NamedTuple):
    """A place an item was seen: a file of a source."""

    source: str
    path: str


class StoryPlace(NamedTuple):
    """An item's place in its story of several reports."""

    lead: str | None  # the lead's key, when the item is not the lead itself
    others: tuple[OtherReport, ...]  # the story's other reports


class KeyMatches(NamedTuple):
    """The keys starting with a prefix: of stored items and of removed ones."""

    stored: list[str]
    removed: list[str]


class StoredParse(NamedTuple):
    """A stored item's row id and the item as its parser gives it now."""

    item_id: int
    item: ParsedItem


@dataclass(frozen=True)
class StoredReport:
    """A report of a story as stored: what dating and tagging the story need."""

    item_id: int
    key: str
    lead: int  # its story's lead (itself for the lead)
    day: date | None
    date_source: DateSource
    published: datetime
    updated: datetime
    first_seen: datetime
    tags: dict[str, str]  # its own topics -> why
    # Its own date, as its page or text gives it (see `Signature`).
    own_day: date | None = None
    own_source: DateSource = DateSource.FIRST_SEEN
    year_guessed: bool = False

    @property
    def exact(self) -> bool:
        """Its own date is an exact time a feed gave (stored without a calendar day)."""
        return self.own_source is DateSource.EXPLICIT and self.day is None


@dataclass(frozen=True)
class StoryEntry:
    """A story's feed entry: its lead, when it is published, and its topics (-> why)."""

    lead: int
    key: str
    published: datetime
    tags: Mapping[str, str]
