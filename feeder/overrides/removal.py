"""Taking an item out of every feed and bringing it back (`feeder remove`, `feeder
restore`): each one transaction, published at once, like a decision about stories.

    remove:  the key | its story's entry handed to its next report (story_overrides)
             | store.removals: its row into a tombstone | the story settled (dates, tags)
             | publish the changed feeds and pages, delete its page
    restore: the key | store.removals: its row back | its topics judged by today's rules
             | placed in a story (refresh.stories), leading again the one it led | publish

A tombstone keeps the item out of later refreshes (see `refresh.decider`) and holds
everything a restore needs, so an item no source lists any more still comes back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from feeder.config import ALL_FEED, Settings
from feeder.errors import RemovalError
from feeder.overrides.stories import hand_over
from feeder.publish import remove_item_pages
from feeder.refresh import publish_changes
from feeder.refresh.stories import StoryStep
from feeder.store import Storage
from feeder.topics import TopicMatcher

_KEY_PREFIX = re.compile(r"[0-9a-f]{4,24}")
_LISTED = 6  # keys looked up per prefix: enough to show that it names several


@dataclass(frozen=True)
class Removal:
    """Where an item stands after `feeder remove` or `feeder restore`."""

    key: str
    title: str
    published: datetime
    removed: bool  # out of every feed now (remove), or back in them (restore)
    changed: bool  # False: it already was (removed twice)
    # The entry its story shows now: after a removal, the report that took the item's
    # entry over, or the lead of the story it reported (None: a story of its own);
    # after a restore, the lead of the story it reports (None: it leads).
    story: str | None = None


@dataclass(frozen=True)
class Target:
    """The item a key names, and whether it is removed."""

    key: str
    removed: bool


def key_prefix(given: str) -> str:
    """A key or its first 4 or more characters, normalised (`RemovalError` if it is not)."""
    prefix = given.strip().lower()
    if not _KEY_PREFIX.fullmatch(prefix):
        raise RemovalError(f"{given!r} is not an item key or its first 4 or more characters")
    return prefix


def choose_item(prefix: str, stored: list[str], removed: list[str]) -> Target:
    """The one item, stored or removed, whose key starts with `prefix`."""
    found = sorted({*stored, *removed})
    if not found:
        raise RemovalError(f"no stored or removed item has a key starting with {prefix!r}")
    if len(found) > 1:  # keys are all 24 characters: a whole key names one item
        raise RemovalError(f"{prefix!r} starts several keys ({', '.join(found[:5])}); give more")
    return Target(found[0], found[0] in removed)


def takes_lead_back(item: int, lead: int, heir: int | None) -> bool:
    """Whether a restored item leads its story again: it led it when it was removed and
    has rejoined the story of the report that took its entry over. Its entry then comes
    back with its id, as if it had never been removed."""
    return heir is not None and lead == heir and lead != item


def remove_item(store: Storage, settings: Settings, now: datetime, key: str) -> Removal:
    """Take the item `key` (or a prefix naming one) out of every feed, archive, search,
    story and item page, keep it out of later refreshes, and publish."""
    prefix = key_prefix(key)
    with store.write() as writer:
        target = choose_item(prefix, *writer.removals.keys_starting(prefix, _LISTED))
        if target.removed:
            kept = writer.removals.find(target.key)
            assert kept is not None
            return Removal(kept.key, kept.title, kept.published, True, False, kept.heir)
        before = writer.feed_versions()
        stories = writer.stories
        item = stories.ids_of([target.key])[target.key]
        lead = stories.lead_of([item])[item]
        keys = {report.item_id: report.key for report in stories.stories([lead])[lead]}
        heirs = hand_over(writer, item) if lead == item else set()
        heir = keys[min(heirs)] if heirs else None
        tomb, topics = writer.removals.remove(item, heir, now)
        step = StoryStep(writer, settings.tz, now, shown_through=now)
        changes = step.settle(heirs or {lead} - {item}, changed=True)
        writer.bump_feeds({ALL_FEED, *topics} | changes.feeds, now)
        after = writer.feed_versions()
    publish_changes(store, settings, now, before, after, changes.keys)
    remove_item_pages(settings.feeds_dir, [target.key])
    story = heir or (keys[lead] if lead != item else None)
    return Removal(tomb.key, tomb.title, tomb.published, True, True, story)


def restore_item(store: Storage, settings: Settings, now: datetime, key: str) -> Removal:
    """Bring the removed item `key` (or a prefix naming one) back into the feeds with
    its key, entry id and date, placed in a story as grouping places it now, and
    publish."""
    prefix = key_prefix(key)
    matcher = TopicMatcher(settings.topic_list())
    with store.write() as writer:
        target = choose_item(prefix, *writer.removals.keys_starting(prefix, _LISTED))
        if not target.removed:
            raise RemovalError(f"{target.key} is not removed: it is in the feeds")
        tomb = writer.removals.find(target.key)
        assert tomb is not None
        before = writer.feed_versions()
        item_id, item = writer.removals.restore(target.key)
        writer.set_own_tags(item_id, matcher.tags(item.key, item.title, item.blocks))
        step = StoryStep(writer, settings.tz, now, shown_through=now)
        changes = step.place([(item_id, item)])  # settles its story: dates, the entry's tags
        stories = writer.stories
        lead = stories.lead_of([item_id])[item_id]
        heir = stories.ids_of([tomb.heir]).get(tomb.heir) if tomb.heir else None
        if takes_lead_back(item_id, lead, heir):
            stories.set_lead([r.item_id for r in stories.stories([lead])[lead]], item_id)
            retaken = step.settle({item_id}, changed=True)
            changes.feeds |= retaken.feeds
            changes.keys |= retaken.keys
        writer.bump_feeds(changes.feeds | {ALL_FEED}, now)
        after = writer.feed_versions()
    publish_changes(store, settings, now, before, after, changes.keys | {target.key})
    restored = next(store.items_by_keys([target.key]))
    return Removal(restored.key, restored.title, restored.published, False, True, restored.story)
