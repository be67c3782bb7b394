"""What each published feed holds, read from the store: its current entries and its
archive pages (split by `publish.chain`, along the pages recorded in `feeds/`).

Both the refresh (which writes the files) and `feeder serve` (which renders the
current documents on request) read feeds here, so they always agree.
"""

from __future__ import annotations

from feeder.config import ALL_FEED, Settings
from feeder.model import FeedContent, newest_first
from feeder.publish.archive import recorded_pages
from feeder.publish.chain import Chain, plan_chain
from feeder.store import Storage


def feed_names(settings: Settings) -> list[str]:
    """The slugs of every published feed: `all`, then each topic."""
    return [ALL_FEED, *(topic.slug for topic in settings.topic_list())]


def feed_title(settings: Settings, slug: str) -> str:
    """The title of feed `slug`: the site's, and the topic's after it."""
    if slug == ALL_FEED:
        return settings.title
    return f"{settings.title}: {settings.topics[slug].title}"


def feed_chain(store: Storage, settings: Settings, slug: str) -> tuple[FeedContent, Chain]:
    """Feed `slug` as published: the entries of its current document (at most
    `feed_size`, newest first) and how its older entries fill its archive pages."""
    topic = None if slug == ALL_FEED else slug
    stamps = store.item_stamps(topic)
    chain = plan_chain(stamps, recorded_pages(settings.feeds_dir, slug), settings.feed_size)
    items = newest_first(store.items_by_keys([stamp.key for stamp in chain.current]))
    title = feed_title(settings, slug)
    return FeedContent(slug, title, items, len(stamps), archive=chain.newest_page), chain


def feed_glance(store: Storage, settings: Settings, slug: str) -> FeedContent:
    """What the front page shows of feed `slug`: its total and its newest entry, read
    off the indexes, without the feed's list of every item (a refresh that changes one
    topic then reads no other topic's whole list)."""
    topic = None if slug == ALL_FEED else slug
    total = store.story_count() if topic is None else store.topic_count(topic)
    return FeedContent(slug, feed_title(settings, slug), store.latest_items(topic, 1), total)


def feed_content(store: Storage, settings: Settings, slug: str) -> FeedContent:
    """What the current document of feed `slug` holds (see `feed_chain`)."""
    return feed_chain(store, settings, slug)[0]
