"""Source leases: which worker scans which source, claimed and released in a
writer's transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from feeder.store.schema import SOURCE_LEASES

Insert = Callable[[Any], Any]  # the dialect's `insert`, which knows ON CONFLICT
_RELEASED = datetime(1970, 1, 1, tzinfo=UTC)


def claim_sources(
    conn: Connection,
    insert: Insert,
    sources: list[str],
    holder: str,
    now: datetime,
    until: datetime,
    every: bool,
    gone: Collection[str] = (),
) -> list[str]:
    """Lease to `holder` until `until` those of `sources` no other worker holds
    (the leases of workers known to be `gone` count as expired): all of them or
    none when `every`. Returns the sources claimed.

    Rows another worker is claiming right now are skipped, not waited for
    (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer at a time).
    """
    table = SOURCE_LEASES
    fresh = [{"source": s, "holder": "", "acquired_at": now, "expires_at": now} for s in sources]
    conn.execute(insert(table).on_conflict_do_nothing(), fresh)
    query = (
        select(table.c.source)
        .where(
            table.c.source.in_(sources),
            or_(
                table.c.expires_at <= now,
                table.c.holder == holder,
                table.c.holder.in_(sorted(gone)),
            ),
        )
        .order_by(table.c.source)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    free = list(conn.execute(query).scalars())
    if every and len(free) < len(set(sources)):
        return []
    conn.execute(
        update(table)
        .where(table.c.source.in_(free))
        .values(holder=holder, acquired_at=now, expires_at=until)
    )
    return free


def release_sources(conn: Connection, sources: list[str], holder: str) -> None:
    """End `holder`'s leases on `sources` (the holder's name stays, as the last
    scanner). A released lease expired long ago, whatever any worker's clock says."""
    table = SOURCE_LEASES
    conn.execute(
        update(table)
        .where(table.c.source.in_(sources), table.c.holder == holder)
        .values(expires_at=_RELEASED)
    )
