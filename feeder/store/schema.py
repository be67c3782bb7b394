"""Database schema: tables, indexes and the UTC datetime column type, as plain Core tables.

The migrations in `migrations/` create it; a change here needs a new revision there
(`tests/integration/store/test_migrate.py` checks that the two agree)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

# How SQLite's `DATETIME` stores a datetime: "2024-01-02 03:04:05.000000".
_SQLITE_DATETIME = "%04d-%02d-%02d %02d:%02d:%02d.%06d"


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

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        """On SQLite, the text SQLite's `DATETIME` stores, made in one step: bulk writes
        bind several times per row, and the two steps of a decorated type cost twice."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is None:
                raise ValueError(f"naive datetime {value!r} cannot be stored")
            utc = value if value.tzinfo is UTC else value.astimezone(UTC)
            return _SQLITE_DATETIME % (utc.year, utc.month, utc.day, utc.hour, utc.minute,
                                       utc.second, utc.microsecond)  # fmt: skip

        return process

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], datetime | None] | None:
        """On SQLite, the stored text read in one step (`fromisoformat` reads what
        `DATETIME` writes): a feed's archive plan reads every item's times."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: str | None) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)

        return process


METADATA = MetaData()


def _item_id(*, primary_key: bool = False) -> Column[int]:
    """A reference to an item's row, gone with the item."""
    return Column(
        "item_id",
        Integer,
        ForeignKey("items.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
    )


ITEMS = Table(
    "items",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("body", Text, nullable=False),  # JSON list of [block kind, text]
    Column("author", Text),
    Column("content_hash", String(64), nullable=False),
    Column("published", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("date_source", String(16), nullable=False),
    Column("day", Date),  # the calendar day, when the item has one
    Column("link", Text),  # the item's own page, for web items
    Column("categories", Text, nullable=False, default="[]"),  # JSON list, as the source labels
    # The story's lead (the id of its first-stored report) for a report that joined a
    # story; NULL for a lead, which is the story's feed entry.
    Column("story_id", Integer),
    Column("tags", Text),  # JSON: its own topics -> why
)

# One place an item was seen: a file of a source.
SIGHTINGS = Table(
    "sightings",
    METADATA,
    Column("id", Integer, primary_key=True),
    _item_id(),
    Column("source", String(200), nullable=False),
    Column("path", Text, nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    UniqueConstraint("item_id", "source", "path"),
)

# An item's topic, with the item's sort fields copied so a topic's newest items come
# straight off an index.
ITEM_TOPICS = Table(
    "item_topics",
    METADATA,
    Column("topic", String(100), primary_key=True),
    _item_id(primary_key=True),
    Column("published", UTCDateTime, nullable=False),
    Column("item_key", String(64), nullable=False),
    Column("why", Text),  # the relevance judgement's reason
)

# A specific term (a name, number or quoted phrase) of an item: the index that finds
# earlier reports of the same event without comparing every item.
STORY_TERMS = Table(
    "story_terms",
    METADATA,
    Column("term", String(200), primary_key=True),
    _item_id(primary_key=True),
)

# What grouping compares of an item (`feeder.stories.Signature`, as JSON): in a table
# of its own, written once per item, not by rewriting its wide row.
STORY_SIGNATURES = Table(
    "story_signatures",
    METADATA,
    _item_id(primary_key=True),
    Column("signature", Text, nullable=False),
)

# What a user decided for one item (`feeder story`, `feeder date`), by its key, so it
# survives re-grouping and re-parsing.
STORY_OVERRIDES = Table(
    "story_overrides",
    METADATA,
    Column("item_key", String(64), primary_key=True),
    Column("story_key", String(64)),  # join the story of this item
    Column("alone", Boolean, nullable=False, default=False),  # a story of its own
    Column("day", Date),  # its date, set by hand
)

# Scan state of one file: enough to skip it next time without reading it.
SOURCE_FILES = Table(
    "source_files",
    METADATA,
    Column("source", String(200), primary_key=True),
    Column("path", Text, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("scanned_at", UTCDateTime, nullable=False),
)

META = Table(
    "meta",
    METADATA,
    Column("name", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

# Feeds list story leads only, newest first, straight off this index.
Index(
    "ix_items_newest",
    ITEMS.c.published.desc(),
    ITEMS.c.key,
    sqlite_where=ITEMS.c.story_id.is_(None),
    postgresql_where=ITEMS.c.story_id.is_(None),
)
# A story's other reports (leads, the most, are not in it: feeds use the index above).
Index(
    "ix_items_story",
    ITEMS.c.story_id,
    sqlite_where=ITEMS.c.story_id.is_not(None),
    postgresql_where=ITEMS.c.story_id.is_not(None),
)
Index(
    "ix_item_topics_newest",
    ITEM_TOPICS.c.topic,
    ITEM_TOPICS.c.published.desc(),
    ITEM_TOPICS.c.item_key,
)
Index("ix_item_topics_item", ITEM_TOPICS.c.item_id)
Index("ix_story_terms_item", STORY_TERMS.c.item_id)

# How each source's last scans went, for `/health` and `feeder status`.
SOURCE_STATUS = Table(
    "source_status",
    METADATA,
    Column("source", String(200), primary_key=True),
    Column("last_scan", UTCDateTime),
    Column("last_success", UTCDateTime),
    Column("failures", Integer, nullable=False, default=0),  # consecutive failed scans
    Column("last_error", Text),
    Column("next_run", UTCDateTime),
)

# Validators and pacing of a web source, saved with the items of the same fetch.
WEB_STATE = Table(
    "web_state",
    METADATA,
    Column("source", String(200), primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("sha256", String(64)),
    Column("retry_after", UTCDateTime),
)

# Which worker scans a source, until when: several workers share the sources through
# these leases; one whose lease expired (it crashed) loses the source.
SOURCE_LEASES = Table(
    "source_leases",
    METADATA,
    Column("source", String(200), primary_key=True),
    Column("holder", String(200), nullable=False),  # kept after release: the last scanner
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),  # free from this moment
)

# A counter per feed (`all` or a topic), moved by every write that changes the feed's
# entries: the key under which servers cache the feed rendered from here.
FEED_VERSIONS = Table(
    "feed_versions",
    METADATA,
    Column("feed", String(100), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),  # the refresh that moved it
)

# An item the user removed (`feeder remove`), by its key: refreshes never store it
# again, and its row (moved here whole) is what `feeder restore` puts back.
REMOVED_ITEMS = Table(
    "removed_items",
    METADATA,
    Column("item_key", String(64), primary_key=True),
    Column("removed_at", UTCDateTime, nullable=False),
    # The report that took over its story's entry, when it led a story of several.
    Column("heir_key", String(64)),
    Column("item", Text, nullable=False),  # JSON: its `items` row, row id included
    Column("signature", Text),  # its `story_signatures` row
    Column("sightings", Text, nullable=False),  # JSON: [source, path, first, last seen]
)

# Full-text search indexes (SQLite FTS5, PostgreSQL tsvector) are made by the
# migrations and queried in `search`; they are not part of this metadata.
