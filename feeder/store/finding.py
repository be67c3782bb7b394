"""Finding entries the way `feeder items` asks for them: of a topic, a source, since a
day, matching a search, newest first. One entry per story, as its lead."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from feeder.store.schema import ITEM_TOPICS, ITEMS, SIGHTINGS
from feeder.store.search import search_condition


@dataclass(frozen=True)
class ItemQuery:
    """What `feeder items` lists: every filter given must hold."""

    topic: str | None = None
    source: str | None = None  # a report of the story was read from this source
    since: datetime | None = None  # published at or after
    search: str | None = None  # the query language of /search
    limit: int = 20


def find_items(conn: Connection, dialect: str, query: ItemQuery) -> list[Row[Any]]:
    """The rows of the newest entries matching `query`, newest first."""
    items = ITEMS.c
    statement = select(ITEMS).where(items.story_id.is_(None))
    if query.topic is not None:
        tagged = ITEM_TOPICS.c
        statement = statement.where(
            items.id.in_(select(tagged.item_id).where(tagged.topic == query.topic))
        )
    if query.source is not None:
        seen = SIGHTINGS.c
        reported = ITEMS.alias("reported")
        statement = statement.where(
            items.id.in_(
                select(func.coalesce(reported.c.story_id, reported.c.id))
                .join(SIGHTINGS, seen.item_id == reported.c.id)
                .where(seen.source == query.source)
            )
        )
    if query.since is not None:
        statement = statement.where(items.published >= query.since)
    if query.search is not None:
        statement = statement.where(search_condition(dialect, query.search))
    statement = statement.order_by(items.published.desc(), items.key).limit(query.limit)
    return list(conn.execute(statement))


def sources_of(conn: Connection, ids: Collection[int]) -> dict[int, str]:
    """The source each item was first read from (the first by name when several)."""
    seen = SIGHTINGS.c
    rows = conn.execute(
        select(seen.item_id, func.min(seen.source))
        .where(seen.item_id.in_(sorted(ids)))
        .group_by(seen.item_id)
    )
    return {item_id: source for item_id, source in rows}
