"""Reading stories for display and re-grouping: each item's place in its story, and a
stored item as its parser would give it now."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, or_, select

from feeder.model import DateSource, ItemKind, OtherReport, ParsedItem
from feeder.parse.dates import own_date
from feeder.store.records import StoryPlace
from feeder.store.rows import load_blocks
from feeder.store.schema import ITEMS, SIGHTINGS
from feeder.stories import Signature

_BATCH = 500  # values per IN (...) list


def as_parsed(row: Any) -> ParsedItem:
    """A stored item as its parser would give it now: a page's date (or a feed's exact
    time) stays, any other is found in its text again (dating improves with releases;
    a date its story or a user gave is not its own)."""
    blocks = load_blocks(row.body)
    own = Signature.from_json(row.signature) if row.signature else None
    if own is not None and own.own_source == DateSource.EXPLICIT:
        day, source, guessed = own.own_day, DateSource.EXPLICIT, False
    elif own is None and row.date_source == DateSource.EXPLICIT:
        day, source, guessed = row.day or row.published.date(), DateSource.EXPLICIT, False
    else:
        paragraphs = [block.text for block in blocks if block.kind == "p"]
        day, source, guessed = own_date(None, row.title, paragraphs)
    return ParsedItem(
        row.key, row.title, blocks, ItemKind(row.kind), day, source, row.author,
        year_guessed=guessed,
    )  # fmt: skip


def story_reports(conn: Connection, rows: Iterable[Any]) -> dict[int, StoryPlace]:
    """For each item row: its lead's key when it is not its story's lead, and the
    story's other reports, each with the source it was first seen in."""
    wanted = {row.id: row.story_id or row.id for row in rows}
    items, sighted = ITEMS.c, SIGHTINGS.c
    # Most stories are of one report: find those of more first, off the story index.
    told = {lead for item_id, lead in wanted.items() if lead != item_id}
    for chunk in _chunks(sorted(set(wanted.values()) - told)):
        told.update(
            conn.execute(select(items.story_id).where(items.story_id.in_(chunk)).distinct())
            .scalars()
        )  # fmt: skip
    if not told:
        return {}
    source = (
        select(func.min(sighted.source))
        .where(sighted.item_id == items.id)
        .correlate(ITEMS)
        .scalar_subquery()
    )
    reports: dict[int, list[tuple[int, str, OtherReport]]] = {}
    for chunk in _chunks(sorted(told)):
        found = conn.execute(
            select(items.id, items.key, items.title, items.link, items.published,
                   items.story_id, items.first_seen, source.label("source"))
            .where(or_(items.id.in_(chunk), items.story_id.in_(chunk)))
            .order_by(items.id)
        )  # fmt: skip
        for r in found:
            report = OtherReport(r.key, r.title, r.source or "", r.link, r.published)
            reports.setdefault(r.story_id or r.id, []).append((r.id, r.key, report))
    result: dict[int, StoryPlace] = {}
    for item_id, lead in wanted.items():
        story = reports.get(lead, [])
        if len(story) < 2:
            continue
        lead_key = next((key for rid, key, _ in story if rid == lead), None)
        others = tuple(report for rid, _, report in story if rid != item_id)
        result[item_id] = StoryPlace(lead_key if lead != item_id else None, others)
    return result


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]
