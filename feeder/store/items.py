"""Reading stored items: the queries behind feeds, listings, search and archives, each
row turned into a `StoredItem` with its topics and its story. Runs on a connection
that `Store` opens."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select

from feeder.model import ItemStamp, StoredItem, newest_first
from feeder.store.finding import ItemQuery, find_items, sources_of
from feeder.store.rows import stored_item
from feeder.store.schema import ITEM_TOPICS, ITEMS
from feeder.store.search import search_statement
from feeder.store.story_reads import story_reports

_BATCH = 500  # ids per IN (...) list


def newest_query(limit: int, topic: str | None = None) -> Select[Any]:
    """The newest `limit` entries, of one topic or of all (story leads), straight off
    an index (`ix_items_newest`, `ix_item_topics_newest`), in no set order."""
    if topic is None:  # story leads: a story is one entry
        return (
            select(ITEMS)
            .where(ITEMS.c.story_id.is_(None))
            .order_by(ITEMS.c.published.desc(), ITEMS.c.key)
            .limit(limit)
        )
    tagged = ITEM_TOPICS
    newest = (
        select(tagged.c.item_id)
        .where(tagged.c.topic == topic)
        .order_by(tagged.c.published.desc(), tagged.c.item_key)
        .limit(limit)
        .subquery()
    )
    return select(ITEMS).join(newest, newest.c.item_id == ITEMS.c.id)


def latest_items(conn: Connection, topic: str | None, limit: int) -> list[StoredItem]:
    """The newest `limit` items, of one topic or of all, newest first: the few rows the
    index gives are put in order here, never by sorting the table."""
    rows = list(conn.execute(newest_query(limit, topic)))
    return as_items(conn, newest_first(rows))


def matching_items(conn: Connection, dialect: str, query: ItemQuery) -> list[StoredItem]:
    """The newest entries matching `query`, each with the source it was read from."""
    return as_items(conn, find_items(conn, dialect, query), with_source=True)


def newest_stories(conn: Connection, limit: int) -> list[StoredItem]:
    """The newest `limit` stories of more than one report, as their leads."""
    other = ITEMS.alias("other")
    reported = select(other.c.id).where(other.c.story_id == ITEMS.c.id).exists()
    query = (
        select(ITEMS)
        .where(ITEMS.c.story_id.is_(None), reported)
        .order_by(ITEMS.c.published.desc(), ITEMS.c.key)
        .limit(limit)
    )
    return as_items(conn, list(conn.execute(query)), with_source=True)


def items_after(conn: Connection, last: str, limit: int) -> list[StoredItem]:
    """Up to `limit` items whose keys sort after `last`, in key order."""
    query = select(ITEMS).where(ITEMS.c.key > last).order_by(ITEMS.c.key).limit(limit)
    return as_items(conn, conn.execute(query).all())


def items_with_keys(conn: Connection, keys: Sequence[str]) -> list[StoredItem]:
    """The stored items with these keys (in no set order)."""
    return as_items(conn, conn.execute(select(ITEMS).where(ITEMS.c.key.in_(keys))).all())


def items_by_key_prefix(conn: Connection, prefix: str, limit: int) -> list[StoredItem]:
    """The items whose key starts with `prefix`, up to `limit`, in key order."""
    # Keys are lowercase hex: every key starting with `prefix` sorts from it up to
    # `prefix` + "g", a range the key's unique index answers on both dialects.
    query = (
        select(ITEMS)
        .where(ITEMS.c.key >= prefix, ITEMS.c.key < prefix + "g")
        .order_by(ITEMS.c.key)
        .limit(limit)
    )
    return as_items(conn, conn.execute(query).all())


def search_items(conn: Connection, dialect: str, query: str, limit: int) -> list[StoredItem]:
    """Items matching a full-text query, newest first (`SearchQueryError` for one that
    cannot be parsed)."""
    return as_items(conn, conn.execute(search_statement(dialect, query, limit)).all())


def item_stamps(conn: Connection, topic: str | None) -> list[ItemStamp]:
    """Key and times of every item (of one topic, or every story lead)."""
    query = select(ITEMS.c.key, ITEMS.c.published, ITEMS.c.updated)
    if topic is None:
        query = query.where(ITEMS.c.story_id.is_(None))  # story leads only
    else:
        tagged = ITEM_TOPICS
        query = query.join(tagged, tagged.c.item_id == ITEMS.c.id).where(tagged.c.topic == topic)
    # Fetched at once, not row by row: the `all` feed reads one row per story.
    return [
        ItemStamp(key, published, updated) for key, published, updated in conn.execute(query).all()
    ]


def topic_counts(conn: Connection) -> dict[str, int]:
    """Number of items per topic slug (topics without items are absent)."""
    tagged = ITEM_TOPICS
    rows = conn.execute(select(tagged.c.topic, func.count()).group_by(tagged.c.topic))
    return {topic: count for topic, count in rows}


def topic_count(conn: Connection, topic: str) -> int:
    tagged = ITEM_TOPICS
    query = select(func.count()).select_from(tagged).where(tagged.c.topic == topic)
    return conn.execute(query).scalar_one()


def item_count(conn: Connection, *, leads_only: bool = False) -> int:
    """How many items there are; with `leads_only`, how many stories."""
    query = select(func.count()).select_from(ITEMS)
    if leads_only:
        query = query.where(ITEMS.c.story_id.is_(None))
    return conn.execute(query).scalar_one()


def as_items(
    conn: Connection, rows: Sequence[Row[Any]], *, with_source: bool = False
) -> list[StoredItem]:
    """Rows of `items` as stored items, in the same order, each with its topics and
    story (and, `with_source`, the source it was first read from)."""
    ids = [r.id for r in rows]
    topics = topics_of(conn, ids)
    stories = story_reports(conn, rows)
    found = [stored_item(r, topics.get(r.id), stories.get(r.id)) for r in rows]
    if not with_source:
        return found
    sources = sources_of(conn, ids)
    return [
        dataclasses.replace(item, source=sources.get(row.id, ""))
        for item, row in zip(found, rows, strict=True)
    ]


def topics_of(conn: Connection, ids: list[int]) -> dict[int, dict[str, str]]:
    """Each item's topic slugs, sorted, with why it is in each; asked 500 ids at a
    time, so the IN list stays bounded however many items (a busy archive month)
    are asked about."""
    tagged = ITEM_TOPICS
    found: dict[int, dict[str, str]] = {}
    for start in range(0, len(ids), _BATCH):
        rows = conn.execute(
            select(tagged.c.item_id, tagged.c.topic, tagged.c.why)
            .where(tagged.c.item_id.in_(ids[start : start + _BATCH]))
            .order_by(tagged.c.topic)
        )
        for item_id, topic, why in rows:
            found.setdefault(item_id, {})[topic] = why or ""
    return found


def stored_keys(conn: Connection, keys: Sequence[str]) -> set[str]:
    """Which of `keys` are stored."""
    return set(conn.execute(select(ITEMS.c.key).where(ITEMS.c.key.in_(keys))).scalars())
