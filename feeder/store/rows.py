"""Conversions between database rows and the plain data other stages use."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, NamedTuple

from feeder.model import Block, DateSource, ItemKind, OtherReport, ParsedItem, StoredItem
from feeder.store.intents import ItemEdit, NewItem


class StoredVersion(NamedTuple):
    """What an ingest needs of a stored item to judge the version it read."""

    item_id: int
    content_hash: str
    first_seen: datetime


class TaggingInput(NamedTuple):
    """What re-tagging reads of a stored item."""

    item_id: int
    key: str
    title: str
    blocks: tuple[Block, ...]
    published: datetime


class DatedItem(NamedTuple):
    """A stored item dated by a calendar day, with its times: what re-dating reads."""

    item_id: int
    day: date
    published: datetime
    updated: datetime
    first_seen: datetime


def dump_blocks(blocks: Iterable[Block]) -> str:
    return json.dumps([[b.kind, b.text] for b in blocks], ensure_ascii=False)


def load_blocks(body: str) -> tuple[Block, ...]:
    return tuple(Block(kind, text) for kind, text in json.loads(body))


def item_values(item: ParsedItem) -> dict[str, Any]:
    """The columns of `items` that hold what was parsed (not its times or tags)."""
    return {
        "key": item.key,
        "title": item.title,
        "kind": item.kind.value,
        "body": dump_blocks(item.blocks),
        "author": item.author,
        "content_hash": item.content_hash,
        "date_source": item.date_source.value,
        # Only a calendar day is re-dated when the time zone changes, not an exact time.
        "day": None if item.published_at else item.day,
        "link": item.link,
        "categories": json.dumps(list(item.categories), ensure_ascii=False),
    }


def tags_value(tags: Mapping[str, str]) -> str:
    """An item's own topics (slug -> why) as the `tags` column holds them."""
    return json.dumps(dict(tags), ensure_ascii=False)


def new_item_row(new: NewItem) -> dict[str, Any]:
    """The `items` row of a new item."""
    times = {"published": new.published, "updated": new.updated, "first_seen": new.first_seen}
    tags = {} if new.tags is None else {"tags": tags_value(new.tags)}
    return item_values(new.item) | times | tags


def item_edit_row(edit: ItemEdit) -> dict[str, Any]:
    """The new values of an edited item, with `item_id` to find its row."""
    times = {"published": edit.published, "updated": edit.updated}
    tags = {} if edit.tags is None else {"tags": tags_value(edit.tags)}
    return item_values(edit.item) | times | tags | {"item_id": edit.item_id}


def stored_item(
    row: Any,
    topics: Mapping[str, str] | None,
    story: tuple[str | None, tuple[OtherReport, ...]] | None = None,
) -> StoredItem:
    """The item of a row of `items`, with its topics (slug -> why, in slug order) and
    its story (the lead's key when it is not the lead, and the other reports)."""
    topics = topics or {}
    lead, also = story or (None, ())
    return StoredItem(
        key=row.key,
        title=row.title,
        blocks=load_blocks(row.body),
        kind=ItemKind(row.kind),
        published=row.published,
        updated=row.updated,
        first_seen=row.first_seen,
        date_source=DateSource(row.date_source),
        author=row.author,
        topics=tuple(topics),
        why={slug: why for slug, why in topics.items() if why},
        story=lead,
        also=also,
        link=row.link,
        categories=tuple(json.loads(row.categories or "[]")),
    )
