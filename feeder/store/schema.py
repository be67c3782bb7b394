"""Database schema: tables, indexes and the UTC datetime column type.

The migrations in `migrations/` create it; a change here needs a new revision there
(`tests/test_migrate.py` checks that the two agree)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in, timezone-aware UTC datetimes out, on every dialect."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    pass


class ItemRow(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)  # JSON list of [block kind, text]
    author: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    published: Mapped[datetime] = mapped_column(UTCDateTime)
    updated: Mapped[datetime] = mapped_column(UTCDateTime)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    date_source: Mapped[str] = mapped_column(String(16))
    day: Mapped[date | None] = mapped_column(Date)  # the calendar day, when the item has one
    link: Mapped[str | None] = mapped_column(Text)  # the item's own page, for web items
    categories: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, as the source labels
    # The story's lead (the id of its first-stored report) for a report that joined a
    # story; NULL for a lead, which is the story's feed entry.
    story_id: Mapped[int | None] = mapped_column(Integer)
    tags: Mapped[str | None] = mapped_column(Text)  # JSON: its own topics -> why


class SightingRow(Base):
    """One place an item was seen: a file of a source."""

    __tablename__ = "sightings"
    __table_args__ = (UniqueConstraint("item_id", "source", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)


class ItemTopicRow(Base):
    """An item's topic, with the item's sort fields copied so a topic's newest items
    come straight off an index."""

    __tablename__ = "item_topics"

    topic: Mapped[str] = mapped_column(String(100), primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    published: Mapped[datetime] = mapped_column(UTCDateTime)
    item_key: Mapped[str] = mapped_column(String(64))
    why: Mapped[str | None] = mapped_column(Text)  # the relevance judgement's reason


class StoryTermRow(Base):
    """A specific term (a name, number or quoted phrase) of an item: the index that
    finds earlier reports of the same event without comparing every item."""

    __tablename__ = "story_terms"

    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )


class StorySignatureRow(Base):
    """What grouping compares of an item (`feeder.stories.Signature`, as JSON): in a
    table of its own, written once per item, not by rewriting its wide row."""

    __tablename__ = "story_signatures"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[str] = mapped_column(Text)


class StoryOverrideRow(Base):
    """What a user decided for one item (`feeder story`, `feeder date`), by its key, so
    it survives re-grouping and re-parsing."""

    __tablename__ = "story_overrides"

    item_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    story_key: Mapped[str | None] = mapped_column(String(64))  # join the story of this item
    alone: Mapped[bool] = mapped_column(Boolean, default=False)  # a story of its own
    day: Mapped[date | None] = mapped_column(Date)  # its date, set by hand


class SourceFileRow(Base):
    """Scan state of one file: enough to skip it next time without reading it."""

    __tablename__ = "source_files"

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    path: Mapped[str] = mapped_column(Text, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MetaRow(Base):
    __tablename__ = "meta"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# Typed handles on the tables for Core statements (mapped classes declare FromClause).
ITEMS = cast(Table, ItemRow.__table__)
SIGHTINGS = cast(Table, SightingRow.__table__)
ITEM_TOPICS = cast(Table, ItemTopicRow.__table__)
SOURCE_FILES = cast(Table, SourceFileRow.__table__)
STORY_TERMS = cast(Table, StoryTermRow.__table__)
STORY_OVERRIDES = cast(Table, StoryOverrideRow.__table__)
STORY_SIGNATURES = cast(Table, StorySignatureRow.__table__)
META = cast(Table, MetaRow.__table__)

# Feeds list story leads only, newest first, straight off this index.
Index(
    "ix_items_newest",
    ItemRow.published.desc(),
    ItemRow.key,
    sqlite_where=ItemRow.story_id.is_(None),
    postgresql_where=ItemRow.story_id.is_(None),
)
# A story's other reports (leads, the most, are not in it: feeds use the index above).
Index(
    "ix_items_story",
    ItemRow.story_id,
    sqlite_where=ItemRow.story_id.is_not(None),
    postgresql_where=ItemRow.story_id.is_not(None),
)
Index(
    "ix_item_topics_newest",
    ItemTopicRow.topic,
    ItemTopicRow.published.desc(),
    ItemTopicRow.item_key,
)
Index("ix_item_topics_item", ItemTopicRow.item_id)
Index("ix_story_terms_item", StoryTermRow.item_id)


class SourceStatusRow(Base):
    """How each source's last scans went, for `/health` and `feeder status`."""

    __tablename__ = "source_status"

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_scan: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(default=0)  # consecutive failed scans
    last_error: Mapped[str | None] = mapped_column(Text)
    next_run: Mapped[datetime | None] = mapped_column(UTCDateTime)


SOURCE_STATUS = cast(Table, SourceStatusRow.__table__)


class WebStateRow(Base):
    """Validators and pacing of a web source, saved with the items of the same fetch."""

    __tablename__ = "web_state"

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    retry_after: Mapped[datetime | None] = mapped_column(UTCDateTime)


WEB_STATE = cast(Table, WebStateRow.__table__)


class SourceLeaseRow(Base):
    """Which worker scans a source, until when: several workers share the sources
    through these leases; one whose lease expired (it crashed) loses the source."""

    __tablename__ = "source_leases"

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))  # kept after release: the last scanner
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # free from this moment


SOURCE_LEASES = cast(Table, SourceLeaseRow.__table__)


class FeedVersionRow(Base):
    """A counter per feed (`all` or a topic), moved by every write that changes the
    feed's entries: the key under which servers cache the feed rendered from here."""

    __tablename__ = "feed_versions"

    feed: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the refresh that moved it


FEED_VERSIONS = cast(Table, FeedVersionRow.__table__)


class RemovedItemRow(Base):
    """An item the user removed (`feeder remove`), by its key: refreshes never store it
    again, and its row (moved here whole) is what `feeder restore` puts back."""

    __tablename__ = "removed_items"

    item_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The report that took over its story's entry, when it led a story of several.
    heir_key: Mapped[str | None] = mapped_column(String(64))
    item: Mapped[str] = mapped_column(Text)  # JSON: its `items` row, row id included
    signature: Mapped[str | None] = mapped_column(Text)  # its `story_signatures` row
    sightings: Mapped[str] = mapped_column(Text)  # JSON: [source, path, first, last seen]


REMOVED_ITEMS = cast(Table, RemovedItemRow.__table__)

# Full-text search indexes (SQLite FTS5, PostgreSQL tsvector) are made by the
# migrations and queried in `search`; they are not part of this metadata.
