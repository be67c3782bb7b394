"""Reading the refreshes' bookkeeping: meta values, each file's scan state, web
validators, source statuses and leases, where items were seen, feed versions.
Runs on a connection that `Store` opens."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from feeder.model import FileState, SourceStatus, WebState
from feeder.store.records import FeedVersion, Lease, RecordedListing, Sighting
from feeder.store.schema import (
    FEED_VERSIONS,
    ITEMS,
    META,
    SIGHTINGS,
    SOURCE_FILES,
    SOURCE_LEASES,
    SOURCE_STATUS,
    WEB_STATE,
)


def meta(conn: Connection, names: list[str]) -> dict[str, str]:
    """The values recorded under `names` (those recorded at all)."""
    rows = conn.execute(select(META.c.name, META.c.value).where(META.c.name.in_(names)))
    return {r.name: r.value for r in rows}


def recorded_listing(conn: Connection, source: str, name: str) -> RecordedListing:
    """The listing recorded under the meta `name`, and how many files of `source` have
    a scan state."""
    recorded = conn.execute(select(META.c.value).where(META.c.name == name)).scalar()
    files = SOURCE_FILES
    count = conn.execute(
        select(func.count()).select_from(files).where(files.c.source == source)
    ).scalar_one()
    return RecordedListing(recorded, count)


def file_states(conn: Connection, source: str) -> dict[str, FileState]:
    """path -> what the last successful scan recorded about each file of `source`."""
    files = SOURCE_FILES.c
    rows = conn.execute(
        select(files.path, files.size, files.mtime_ns, files.sha256).where(files.source == source)
    )
    return {r.path: FileState(r.path, r.size, r.mtime_ns, r.sha256) for r in rows}


def web_state(conn: Connection, source: str) -> WebState:
    """What the last fetch of a web source saved (empty for a new source)."""
    row = conn.execute(select(WEB_STATE).where(WEB_STATE.c.source == source)).first()
    if row is None:
        return WebState()
    return WebState(row.etag, row.last_modified, row.sha256, row.retry_after)


def source_statuses(conn: Connection) -> dict[str, SourceStatus]:
    """source -> how its scans have gone."""
    return {
        r.source: SourceStatus(
            r.source, r.last_scan, r.last_success, r.failures, r.last_error, r.next_run
        )
        for r in conn.execute(select(SOURCE_STATUS))
    }


def leases(conn: Connection) -> dict[str, Lease]:
    """source -> who scans it, or scanned it last, and until when."""
    rows = conn.execute(select(SOURCE_LEASES))
    return {r.source: Lease(r.holder, r.acquired_at, r.expires_at) for r in rows}


def feed_version(conn: Connection, feed: str) -> FeedVersion:
    """A feed's version and when it moved; (0, None) before it had any entries."""
    table = FEED_VERSIONS.c
    row = conn.execute(select(table.version, table.changed_at).where(table.feed == feed)).first()
    return FeedVersion(row.version, row.changed_at) if row else FeedVersion(0, None)


def sightings(conn: Connection, key: str) -> list[Sighting]:
    """Every place the item with `key` was seen, by source and path."""
    seen = SIGHTINGS.c
    query = (
        select(seen.source, seen.path)
        .join(ITEMS, ITEMS.c.id == seen.item_id)
        .where(ITEMS.c.key == key)
        .order_by(seen.source, seen.path)
    )
    return [Sighting(r.source, r.path) for r in conn.execute(query)]
