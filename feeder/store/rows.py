"""Conversions between database rows and the plain data other stages use."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from feeder.model import Block, DateSource, ItemKind, OtherReport, ParsedItem, StoredItem


def dump_blocks(blocks: Iterable[Block]) -> str:
    return json.dumps([[b.kind, b.text] for b in blocks], ensure_ascii=False)


def load_blocks(body: str) -> tuple[Block, ...]:
    return tuple(Block(kind, text) for kind, text in json.loads(body))


def item_values(item: ParsedItem) -> dict[str, Any]:
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
