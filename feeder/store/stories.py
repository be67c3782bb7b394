"""Stories in the database: which story each item reports, the specific-term index
that finds earlier reports of an event, and the user's overrides. Writes run inside
the transaction of `Store.write()` (`StoreWriter.stories`); `story_reads` has what
display needs."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, func, or_, select, update

from feeder.model import DateSource
from feeder.store.records import StoredParse, StoredReport, StoryEntry
from feeder.store.schema import ITEM_TOPICS, ITEMS, STORY_OVERRIDES, STORY_TERMS
from feeder.store.schema import STORY_SIGNATURES as SIGNATURES
from feeder.store.story_reads import as_parsed
from feeder.stories import Override, Report, Signature

_BATCH = 500  # values per IN (...) list


# The signatures read lately, by their JSON: a batch's candidates are mostly the same
# stored reports as the last batch's (two in three reads, at a cold start). Signatures
# are immutable; the bound keeps memory flat.
_signature = lru_cache(maxsize=2048)(Signature.from_json)


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]


class StoryWriter:
    """Story reads and writes in one transaction."""

    def __init__(self, conn: Connection, insert: Any) -> None:
        self.conn = conn
        self.insert = insert

    def term_counts(self, terms: Collection[str], cap: int = 1000) -> dict[str, int]:
        """In how many stored items each of `terms` occurs, counting up to `cap` (absent:
        none). Counting every posting of a name in half the corpus, at every batch,
        made a first refresh slow down as it went; beyond `cap` rarity says nothing."""
        table, counts = STORY_TERMS, dict[str, int]()
        postings = table.alias("postings")
        for chunk in _chunks(sorted(terms)):
            present = select(table.c.term).where(table.c.term.in_(chunk)).distinct().subquery()
            capped = (
                select(postings.c.item_id)
                .where(postings.c.term == present.c.term)
                .limit(cap)
                .correlate(present)
                .subquery()
            )
            count = select(func.count()).select_from(capped).scalar_subquery()
            counts.update((term, n) for term, n in self.conn.execute(select(present.c.term, count)))
        return counts

    def indexed(self) -> int:
        """About how many items the term counts are of: the highest item id (counting
        them would read the whole table at every batch; rarity needs no exact total)."""
        return int(self.conn.execute(select(func.max(ITEMS.c.id))).scalar() or 0)

    def leading(self, item_ids: Collection[int]) -> set[int]:
        """Those of `item_ids` that lead a story of more than one report."""
        found: set[int] = set()
        for chunk in _chunks(sorted(item_ids)):
            found.update(
                self.conn.execute(
                    select(ITEMS.c.story_id).where(ITEMS.c.story_id.in_(chunk)).distinct()
                ).scalars()
            )
        return found

    def reports_with(
        self, terms: Collection[str], besides: Collection[int], keys: Collection[str] = ()
    ) -> list[Report]:
        """The stored reports holding any of `terms`, or with one of `keys`, but those
        of `besides`."""
        ids: set[int] = set(self.ids_of(keys).values())
        for chunk in _chunks(sorted(terms)):
            ids.update(
                self.conn.execute(
                    select(STORY_TERMS.c.item_id).where(STORY_TERMS.c.term.in_(chunk))
                ).scalars()
            )
        ids -= set(besides)
        # With the other reports of their stories: a report joins a story only when it
        # is of the same event as every report in it.
        leads = set(self.lead_of(ids).values())
        for chunk in _chunks(sorted(leads)):
            ids.update(
                self.conn.execute(
                    select(ITEMS.c.id).where(
                        or_(ITEMS.c.id.in_(chunk), ITEMS.c.story_id.in_(chunk))
                    )
                ).scalars()
            )
        ids -= set(besides)
        items, found = ITEMS.c, []
        for chunk in _chunks(sorted(ids)):
            rows = self.conn.execute(
                select(items.id, items.key, SIGNATURES.c.signature, items.story_id)
                .join(SIGNATURES, SIGNATURES.c.item_id == items.id)
                .where(items.id.in_(chunk))
            )  # fmt: skip
            found += [
                Report(
                    r.id, r.key, sig := _signature(r.signature), _own_day(sig),
                    sig.year_guessed, r.story_id or r.id,
                    context=sig.own_source == DateSource.CONTEXT,
                )
                for r in rows
            ]  # fmt: skip
        return sorted(found, key=lambda report: report.item_id)

    def save(
        self, placed: Iterable[tuple[int, int, Signature]], fresh: Collection[int] = ()
    ) -> None:
        """Record each (item, its story's lead, signature), and index its terms anew
        (`fresh`: items stored for the first time, with nothing to forget)."""
        rows, fresh = list(placed), set(fresh)
        if not rows:
            return
        moved = [{"b_item": item, "b_story": None if lead == item else lead}
                 for item, lead, _ in rows if item not in fresh or lead != item]  # fmt: skip
        if moved:
            self.conn.execute(
                update(ITEMS)
                .where(ITEMS.c.id == bindparam("b_item"))
                .values(story_id=bindparam("b_story")),
                moved,
            )
        for chunk in _chunks([item for item, _, _ in rows if item not in fresh]):
            self.conn.execute(delete(STORY_TERMS).where(STORY_TERMS.c.item_id.in_(chunk)))
            self.conn.execute(delete(SIGNATURES).where(SIGNATURES.c.item_id.in_(chunk)))
        self.conn.execute(
            SIGNATURES.insert(),
            [{"item_id": item, "signature": sig.to_json()} for item, _, sig in rows],
        )
        postings = [
            {"term": term[:200], "item_id": item}
            for item, _, sig in rows
            for term in sorted({t[:200] for t in sig.specific})
        ]
        if postings:
            self.conn.execute(self.insert(STORY_TERMS).on_conflict_do_nothing(), postings)

    def stories(self, leads: Collection[int]) -> dict[int, list[StoredReport]]:
        """The reports of each story led by one of `leads` (the lead first)."""
        items, found = ITEMS.c, dict[int, list[StoredReport]]()
        for chunk in _chunks(sorted(leads)):
            rows = self.conn.execute(
                select(items.id, items.key, items.story_id, items.day, items.date_source,
                       items.published, items.updated, items.first_seen, items.tags,
                       SIGNATURES.c.signature)
                .outerjoin(SIGNATURES, SIGNATURES.c.item_id == items.id)
                .where(or_(items.id.in_(chunk), items.story_id.in_(chunk)))
                .order_by(items.id)
            )  # fmt: skip
            for r in rows:
                sig = _signature(r.signature) if r.signature else None
                source = DateSource(r.date_source)
                if sig is not None and sig.own_source:
                    own = (sig.own_day, DateSource(sig.own_source), sig.year_guessed)
                elif source in (DateSource.STORY, DateSource.SET):  # not its own
                    own = (None, DateSource.FIRST_SEEN, False)
                else:  # placed before its own date was recorded: its columns say it
                    own = (r.day, source, False)
                report = StoredReport(
                    r.id, r.key, r.story_id or r.id, r.day, source, r.published, r.updated,
                    r.first_seen, json.loads(r.tags or "{}"), *own,
                )  # fmt: skip
                found.setdefault(report.lead, []).append(report)
        for reports in found.values():
            reports.sort(key=lambda report: report.item_id != report.lead)
        return found

    def ids_of(self, keys: Collection[str]) -> dict[str, int]:
        """The row id of each stored item of `keys` (absent: not stored)."""
        found: dict[str, int] = {}
        for chunk in _chunks(sorted(keys)):
            rows = self.conn.execute(select(ITEMS.c.key, ITEMS.c.id).where(ITEMS.c.key.in_(chunk)))
            found.update((r.key, r.id) for r in rows)
        return found

    def set_lead(self, item_ids: Collection[int], lead: int) -> None:
        """Put these items in the story led by `lead` (which then leads it)."""
        for chunk in _chunks(sorted(item_ids)):
            self.conn.execute(
                update(ITEMS)
                .where(ITEMS.c.id.in_(chunk))
                .values(story_id=case((ITEMS.c.id == lead, None), else_=lead))
            )

    def lead_of(self, item_ids: Collection[int]) -> dict[int, int]:
        """The lead of each item's story (itself when it leads one)."""
        found: dict[int, int] = {}
        for chunk in _chunks(sorted(item_ids)):
            rows = self.conn.execute(
                select(ITEMS.c.id, ITEMS.c.story_id).where(ITEMS.c.id.in_(chunk))
            )
            found.update((r.id, r.story_id or r.id) for r in rows)
        return found

    def set_dates(self, rows: Iterable[dict[str, Any]]) -> None:
        """Re-date items: rows of item_id, day, date_source, published, updated."""
        rows = list(rows)
        if rows:
            self.conn.execute(
                update(ITEMS).where(ITEMS.c.id == bindparam("b_item")).values(
                    day=bindparam("b_day"), date_source=bindparam("b_source"),
                    published=bindparam("b_published"), updated=bindparam("b_updated"),
                ),
                [
                    {"b_item": r["item_id"], "b_day": r["day"], "b_source": r["date_source"],
                     "b_published": r["published"], "b_updated": r["updated"]}
                    for r in rows
                ],
            )  # fmt: skip

    def tag_stories(
        self, entries: Collection[StoryEntry], untagged: Collection[int] = ()
    ) -> dict[int, set[str]]:
        """Make each story's feed entry (its lead) carry its story's topics; the topics
        each had (`untagged`: leads known to have none yet)."""
        table, before = ITEM_TOPICS, dict[int, set[str]]()
        untagged = set(untagged)
        for chunk in _chunks(sorted(e.lead for e in entries if e.lead not in untagged)):
            removed = self.conn.execute(
                delete(table).where(table.c.item_id.in_(chunk))
                .returning(table.c.item_id, table.c.topic)
            )  # fmt: skip
            for item_id, topic in removed:
                before.setdefault(item_id, set()).add(topic)
        rows = [
            {"topic": topic, "item_id": entry.lead, "published": entry.published,
             "item_key": entry.key, "why": why}
            for entry in entries
            for topic, why in entry.tags.items()
        ]  # fmt: skip
        if rows:
            self.conn.execute(self.insert(table).on_conflict_do_nothing(), rows)
        return before

    def untag(self, item_ids: Collection[int]) -> dict[int, set[str]]:
        """Remove the feed tags of reports that are no longer leads; their topics before."""
        table, before = ITEM_TOPICS, dict[int, set[str]]()
        for chunk in _chunks(sorted(item_ids)):
            rows = self.conn.execute(
                delete(table)
                .where(table.c.item_id.in_(chunk))
                .returning(table.c.item_id, table.c.topic)
            )
            for item_id, topic in rows:
                before.setdefault(item_id, set()).add(topic)
        return before

    def forget_all(self) -> None:
        """Undo every story: each item its own, no term index (the signatures stay until
        each item is placed again: they hold its own date)."""
        self.conn.execute(delete(STORY_TERMS))
        self.conn.execute(update(ITEMS).values(story_id=None))

    def iter_in_storing_order(self, batch: int) -> Iterator[list[StoredParse]]:
        """Every item as parsed (its own date, not one from a story), `batch` at a time,
        in the order they were stored (by row id): the order of single-pass
        grouping."""
        items = ITEMS.c
        last: int | None = None
        query = select(items.id, items.key, items.title, items.body, items.kind, items.day,
                       items.date_source, items.author, items.first_seen,
                       items.published, SIGNATURES.c.signature)  # fmt: skip
        while True:
            page = query.outerjoin(SIGNATURES, SIGNATURES.c.item_id == items.id)
            if last is not None:
                page = page.where(items.id > last)
            rows = self.conn.execute(page.order_by(items.id).limit(batch)).all()
            if not rows:
                return
            yield [StoredParse(r.id, as_parsed(r)) for r in rows]
            last = rows[-1].id

    def iter_leads(self, batch: int) -> Iterator[list[int]]:
        """The id of every story's lead, `batch` at a time."""
        last = 0
        while ids := list(
            self.conn.execute(
                select(ITEMS.c.id)
                .where(ITEMS.c.story_id.is_(None), ITEMS.c.id > last)
                .order_by(ITEMS.c.id)
                .limit(batch)
            ).scalars()
        ):
            yield ids
            last = ids[-1]

    def overrides(self, keys: Collection[str] | None = None) -> dict[str, Override]:
        """The user's decisions, by item key (all of them, or those of `keys`)."""
        query = select(STORY_OVERRIDES)
        if keys is not None:
            query = query.where(STORY_OVERRIDES.c.item_key.in_(sorted(keys)))
        return {
            r.item_key: Override(r.story_key, bool(r.alone), r.day)
            for r in self.conn.execute(query)
        }

    def set_override(self, key: str, override: Override) -> None:
        """Record (or, when it decides nothing, forget) the user's decision for `key`."""
        self.conn.execute(delete(STORY_OVERRIDES).where(STORY_OVERRIDES.c.item_key == key))
        if override.with_key or override.alone or override.day:
            self.conn.execute(
                STORY_OVERRIDES.insert().values(
                    item_key=key, story_key=override.with_key, alone=override.alone,
                    day=override.day,
                )
            )  # fmt: skip


def _own_day(signature: Signature) -> date | None:
    """The date a report has of its own (not one its story or a user gave it)."""
    return signature.own_day if signature.own_source != DateSource.FIRST_SEEN else None
