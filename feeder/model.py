"""Plain data that crosses stage boundaries. No behaviour beyond derived fields."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from feeder.publish import PublishResult


class DateSource(StrEnum):
    """How an item's date was obtained; stored so no date is ever silently invented."""

    EXPLICIT = "explicit"  # a DD.MM.YYYY the page gives for the item
    TEXT = "text"  # the first full date written in the item's text
    # a dateline's or the lead's day and month, with the year stated elsewhere in the text
    CONTEXT = "context"
    STORY = "story"  # none of its own: the date of the story it reports (its first report)
    SET = "set"  # set by hand (`feeder date`)
    FIRST_SEEN = "first-seen"  # no date anywhere: when feeder first saw the item


class ItemKind(StrEnum):
    LISTING = "listing"
    ARTICLE = "article"
    TEASER = "teaser"
    ENTRY = "entry"  # an entry of an RSS or Atom feed


@dataclass(frozen=True)
class Block:
    """One piece of an item's body: a paragraph (`p`) or a section subheading (`h`)."""

    kind: str
    text: str


class _HasBlocks:
    blocks: tuple[Block, ...]

    @property
    def summary(self) -> str:
        """The first paragraph: what feeds show as the entry's summary."""
        return next((b.text for b in self.blocks if b.kind == "p"), "")


@dataclass(frozen=True)
class ParsedItem(_HasBlocks):
    """A news item as found in one document, before it meets the database."""

    key: str
    title: str
    blocks: tuple[Block, ...]
    kind: ItemKind
    day: date | None
    date_source: DateSource
    author: str | None = None
    line: int = 0
    link: str | None = None  # the item's own page on the web (http or https only)
    categories: tuple[str, ...] = ()  # as the source labels it
    published_at: datetime | None = None  # an exact time, when the source gives one
    # A `context` date whose year is not written next to its day and month ("on
    # November 15", the year only in "Interaction-2024"): a story may correct it.
    year_guessed: bool = False

    @cached_property
    def content_hash(self) -> str:
        """Hash of everything a reader sees, so an edit anywhere counts as a change."""
        body: list[object] = [self.title, self.author, [[b.kind, b.text] for b in self.blocks]]
        if self.link or self.categories:  # older hashes stay valid for items without them
            body += [self.link, list(self.categories)]
        return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class ParseResult:
    items: list[ParsedItem]
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SourceFile:
    """A file a folder source offers, identified by source name and relative path.

    Not frozen: a rescan makes one per file of the folder, and a frozen dataclass
    costs four times as much to make. Nothing changes one after the listing.
    """

    source: str
    path: str
    location: str  # the file system path (a string: a rescan makes one per file)
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class FileState:
    """What the last successful scan recorded about a file."""

    path: str
    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True)
class ScannedFile:
    """A changed file after reading and parsing: what the store needs to ingest it."""

    file: SourceFile
    sha256: str
    items: list[ParsedItem]


@dataclass(frozen=True)
class OtherReport:
    """Another report of an item's story: what "Also reported" lists."""

    key: str
    title: str
    source: str  # the source it was seen in first
    link: str | None  # its own page on the web, when it has one
    published: datetime


@dataclass(frozen=True)
class StoredItem(_HasBlocks):
    """An item as stored, ready to publish."""

    key: str
    title: str
    blocks: tuple[Block, ...]
    kind: ItemKind
    published: datetime
    updated: datetime
    first_seen: datetime
    date_source: DateSource
    author: str | None
    topics: tuple[str, ...]
    link: str | None = None
    categories: tuple[str, ...] = ()
    # Why the item is in each topic (slug -> the relevance judgement's reason).
    why: Mapping[str, str] = field(default_factory=dict, compare=False)
    story: str | None = None  # the key of its story's lead, when it is another report
    also: tuple[OtherReport, ...] = ()  # the story's other reports, in the order stored
    source: str = ""  # the source it was read from (filled where a listing shows it)


@dataclass(frozen=True)
class ItemStamp:
    """What decides an item's place and version in an archive: its key and times."""

    key: str
    published: datetime
    updated: datetime


@dataclass(frozen=True)
class SourceStatus:
    """How a source's scans have gone, as recorded in the database."""

    source: str
    last_scan: datetime | None
    last_success: datetime | None
    failures: int  # consecutive failed scans
    last_error: str | None
    next_run: datetime | None


@dataclass(frozen=True)
class WebState:
    """What the last fetch of a web source left to send back or respect next time."""

    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    retry_after: datetime | None = None


@dataclass
class RefreshSummary:
    """What one refresh did, for the CLI table, `--json` and the service's health page."""

    files_scanned: int = 0  # of folder sources
    files_unchanged: int = 0
    files_failed: int = 0
    fetches: int = 0  # of web sources: fetched and read
    fetches_unchanged: int = 0  # not modified, the same bytes, or paused (Retry-After)
    fetches_failed: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    items_retagged: int = 0
    items_redated: int = 0
    items_regrouped: int = 0  # placed in stories anew (grouping changed)
    items_removed_skipped: int = 0  # read again but kept out: the user removed them
    items_deferred: int = 0  # new web items over a source's max_new_items: taken later
    published: PublishResult = field(default_factory=lambda: _nothing_published())
    archives_written: int = 0  # RFC 5005 archive pages written
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_errors: dict[str, list[str]] = field(default_factory=dict)  # every failed input
    failed_sources: dict[str, str] = field(
        default_factory=dict
    )  # sources that could not be scanned
    sources_skipped: list[str] = field(default_factory=list)  # another worker had them

    @property
    def feeds_rendered(self) -> int:
        """Feeds whose content changed: only these are rendered."""
        return self.published.feeds_rendered

    @property
    def feeds_written(self) -> int:
        return self.published.feeds_written

    @property
    def feeds_unchanged(self) -> int:
        return self.published.feeds_unchanged

    @property
    def pages_written(self) -> int:
        return self.published.pages_written

    @property
    def changed_feeds(self) -> list[str]:
        """Feeds whose content changed."""
        return self.published.changed_feeds

    def as_dict(self) -> dict[str, object]:
        """Every count and message, flat (what `feeder refresh --json` prints)."""
        counts = [f.name for f in fields(self)]
        at = counts.index("published")
        published = ["feeds_rendered", "feeds_written", "feeds_unchanged", "pages_written"]
        # The order the fields had before `published` held four of them.
        names = [*counts[:at], *published, "archives_written", "changed_feeds", *counts[at + 2 :]]
        return {name: copy.deepcopy(getattr(self, name)) for name in names}

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, source: str, message: str) -> None:
        """Record a failed input: the message, after the source's name, names the file
        or URL and what failed."""
        message = source_message(source, message)
        self.errors.append(message)
        self.source_errors.setdefault(source, []).append(message)


def _nothing_published() -> PublishResult:
    from feeder.publish import PublishResult  # on use: feeder.publish imports this module

    return PublishResult()


def source_message(source: str, message: str) -> str:
    """`message` as every error and warning about a source reads: its name first."""
    named = f"source {source!r}: "
    return message if message.startswith(named) else named + message


@dataclass(frozen=True)
class Site:
    """What every published file needs to know about the site it belongs to."""

    title: str
    base_url: str  # ends with "/"
    tag_authority: str  # RFC 4151 tagging entity, e.g. "example.org,2026"
    zone: tzinfo = UTC  # calendar days are shown in this zone
    hub: str | None = None  # a WebSub hub every feed advertises

    def day_of(self, moment: datetime) -> date:
        """The calendar day `moment` falls on in the site's zone."""
        return moment.astimezone(self.zone).date()

    def period_of(self, moment: datetime) -> str:
        """The archive period (a calendar month in the site's zone) `moment` falls in."""
        day = self.day_of(moment)
        return f"{day.year:04d}-{day.month:02d}"  # strftime gives "999" for year 999

    def period_bounds(self, period: str) -> tuple[datetime, datetime]:
        """The first instant of `period` and of the period after it, in UTC."""
        year, month = (int(part) for part in period.split("-"))
        after = (year + month // 12, month % 12 + 1)
        start = datetime(year, month, 1, tzinfo=self.zone)
        end = datetime(*after, 1, tzinfo=self.zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    # The URLs are spelled by `feeder.publish.layout`, imported on use: feeder.publish
    # imports this module.
    def feed_url(self, slug: str, fmt: str, query: str | None = None) -> str:
        """The URL of feed `slug` as `fmt` (a view); with `query`, a search feed."""
        from feeder.publish import layout

        return layout.feed_url(self.base_url, slug, fmt, query)

    def item_url(self, key: str) -> str:
        """The URL of item `key`'s permalink page."""
        from feeder.publish import layout

        return layout.item_url(self.base_url, key)

    def archive_url(self, slug: str, page: int) -> str:
        """The RFC 5005 archive page `page` (1 = oldest) of one feed."""
        from feeder.publish import layout

        return layout.archive_url(self.base_url, slug, page)

    def tag(self, specific: str) -> str:
        """A `tag:` URI (RFC 4151): the same on every run, machine and database."""
        return f"tag:{self.tag_authority}:{specific}"


@dataclass(frozen=True)
class FeedContent:
    """One feed to publish: `all` or a topic, with its newest items."""

    slug: str
    title: str
    items: list[StoredItem]
    total: int
    query: str | None = None  # for a search feed: the words searched for
    archive: int | None = None  # the newest archive page (RFC 5005 prev-archive)


@dataclass(frozen=True)
class ListingSelectors:
    """Where an item's parts are on a listing page (CSS selectors)."""

    item: str
    title: str
    date: str | None = None
    link: str | None = None
    summary: str | None = None
    date_format: str | None = None


class _Dated(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def published(self) -> datetime: ...


_D = TypeVar("_D", bound=_Dated)


def newest_first(entries: Iterable[_D]) -> list[_D]:
    """Entries (items, stored rows) in the order every feed lists them: newest, then
    by key."""
    return sorted(sorted(entries, key=lambda e: e.key), key=lambda e: e.published, reverse=True)
