"""Derived data follows the settings it came from: when the topic rules, the time
zone or the way of grouping stories changed, every stored item is re-tagged,
re-dated or placed in stories anew, before the refresh ingests anything."""

from __future__ import annotations

from datetime import datetime

from feeder.config import Settings
from feeder.model import RefreshSummary
from feeder.refresh.decider import redated
from feeder.refresh.feeds import feed_names
from feeder.refresh.stories import regroup_all, settle_all
from feeder.store import Storage, StoreWriter
from feeder.stories import GROUPING_VERSION
from feeder.topics import TopicMatcher

_RULES_META = "topic_rules"
_ZONE_META = "timezone"
_STORIES_META = "story_grouping"


def follow_settings(
    store: Storage,
    settings: Settings,
    matcher: TopicMatcher,
    now: datetime,
    summary: RefreshSummary,
    shown_through: datetime | None,
) -> None:
    """Re-tag and re-date everything when the rules or the zone changed (a new
    database just records them); place every item in stories anew when grouping did.

    A transaction of its own, before the ingest: it takes the settings' rows first and
    then items in key order, the order every ingest uses, so workers cannot deadlock.
    """
    current = {
        _RULES_META: matcher.fingerprint,
        _ZONE_META: settings.timezone,
        _STORIES_META: GROUPING_VERSION,
    }
    if store.meta(list(current)) == current:
        return  # the usual case, settled without a write transaction
    with store.write() as writer:
        moved = False
        if _settings_changed(writer, _RULES_META, matcher.fingerprint):
            summary.items_retagged = retag_all(writer, matcher)
            moved = True
        if _settings_changed(writer, _ZONE_META, settings.timezone):
            summary.items_redated = redate_all(writer, settings)
            moved = True
        # Stories are placed anew when grouping changed, and on a database stored
        # before stories existed (nothing recorded): the first refresh groups it.
        if writer.get_meta(_STORIES_META) != GROUPING_VERSION:
            writer.set_meta(_STORIES_META, GROUPING_VERSION)
            summary.items_regrouped = regroup_all(writer, settings.tz, now, shown_through)
            moved = moved or summary.items_regrouped > 0
        elif summary.items_retagged:  # each lead carries its reports' new tags
            settle_all(writer, settings.tz, now, shown_through)
        if moved:
            writer.bump_feeds(feed_names(settings), now)


def _settings_changed(writer: StoreWriter, name: str, value: str) -> bool:
    """Record `value` under `name`; True if it replaced a different recorded value."""
    recorded = writer.get_meta(name)
    if recorded != value:
        writer.set_meta(name, value)
    return recorded is not None and recorded != value


def retag_all(writer: StoreWriter, matcher: TopicMatcher) -> int:
    """Judge every item's topics anew (each story's lead then carries its reports')."""
    count = 0
    for row in writer.iter_tagging_input():
        writer.set_own_tags(row.item_id, matcher.tags(row.key, row.title, row.blocks))
        count += 1
    return count


def redate_all(writer: StoreWriter, settings: Settings) -> int:
    """Move every item dated by a calendar day to that day in the configured zone."""
    count = 0
    for row in writer.iter_dated_items():
        published, updated = redated(
            row.day, row.published, row.updated, row.first_seen, settings.tz
        )
        writer.set_times(row.item_id, published, updated)
        count += 1
    return count
