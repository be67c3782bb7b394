"""The publish step of a refresh (and of a user's decision): read the store, ask
`publish.plan` what to render, and call the renderers.

    marker + store.feed_versions | plan_publish (pure)
      | feed_chain per feed | publish_archives (the rendered feeds' pages) | publish_site
      | write_marker
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from feeder.config import ALL_FEED, Settings
from feeder.model import RefreshSummary, Site, StoredItem
from feeder.publish import (
    FEED_VIEWS,
    PublishResult,
    archive_manifest,
    publish_site,
    remove_item_pages,
    remove_stale_archives,
)
from feeder.publish.archive import publish_archives
from feeder.publish.layout import feed_path
from feeder.publish.plan import (
    FeedChanges,
    needs_catch_up,
    output_fingerprint,
    plan_publish,
    read_marker,
    write_marker,
)
from feeder.refresh.feeds import feed_chain, feed_glance, feed_names
from feeder.store import Storage


def site_of(settings: Settings) -> Site:
    """What every published file needs to know about the site, from the settings."""
    return Site(
        settings.title,
        settings.base_url,
        settings.tag_authority,
        settings.tz,
        settings.websub_hub,
    )


def published_address(settings: Settings) -> Settings:
    """`settings` with the base URL `feeds/` was last published under, when none is
    configured: a command run beside `feeder serve --port N` then keeps the
    service's links instead of writing the default address into every file."""
    marker = read_marker(settings.feeds_dir)
    recorded = marker.base_url if marker is not None else None
    if settings.base_url_configured or not isinstance(recorded, str):
        return settings
    if not recorded.startswith(("http://", "https://")) or not recorded.endswith("/"):
        return settings  # a damaged marker: the default address
    # Still not configured: `feeder serve` derives its own address from this.
    return settings.model_copy(update={"base_url": recorded})


def shown_through(settings: Settings, now: datetime) -> datetime | None:
    """The refresh whose items the files in `feeds/` show (see `StoryStep`): None
    before anything was published; `now` for files an older version wrote, which
    recorded no time but showed everything stored before this refresh."""
    marker = read_marker(settings.feeds_dir)
    if marker is None:
        return None
    try:
        return datetime.fromisoformat(marker.through or now.isoformat())
    except (TypeError, ValueError):
        return None


def catch_up(store: Storage, settings: Settings, summary: RefreshSummary, now: datetime) -> None:
    """Publish everything if `feeds/` lags behind the store: a refresh whose sources
    other workers scanned must still bring its own files up to date."""
    marker = read_marker(settings.feeds_dir)
    if needs_catch_up(marker, output_fingerprint(settings), store.feed_versions()):
        publish(store, settings, summary, now)


def publish_changes(
    store: Storage,
    settings: Settings,
    now: datetime,
    before: dict[str, int],
    after: dict[str, int],
    keys: set[str],
) -> RefreshSummary:
    """Write what one transaction outside a refresh changed (a user's decision about
    stories or dates): its feeds, from versions `before` to `after`, and its items."""
    summary = RefreshSummary()
    publish(store, settings, summary, now, FeedChanges(before, after, keys))
    return summary


def publish(
    store: Storage,
    settings: Settings,
    summary: RefreshSummary,
    now: datetime,
    changes: FeedChanges | None = None,
) -> None:
    """Write `feeds/` as `plan_publish` decides: only what `changes` touched, or
    everything. Each rendered feed's archive pages are brought up to date first."""
    versions = store.feed_versions()  # before reading: what is written is at least this new
    fingerprint = output_fingerprint(settings)
    names = feed_names(settings)
    present = all(
        (settings.feeds_dir / name).exists()
        for slug in names
        for name in (*(feed_path(slug, view) for view in FEED_VIEWS), archive_manifest(slug))
    )
    plan = plan_publish(read_marker(settings.feeds_dir), fingerprint, versions, changes, present)
    if plan.nothing:
        summary.published = PublishResult(feeds_unchanged=len(names) * len(FEED_VIEWS))
        return
    items: Iterable[StoredItem] = (
        store.iter_items() if plan.items is None else store.items_by_keys(sorted(plan.items))
    )
    site = site_of(settings)
    # Only the feeds to render are read in full (and `all`, whose newest items the
    # front page lists); the front page shows every topic's total and newest entry
    # read off the indexes, the same way whichever feeds a refresh renders.
    chains = {
        slug: feed_chain(store, settings, slug)
        for slug in names
        if slug == ALL_FEED or plan.feeds is None or slug in plan.feeds
    }
    front = [chains[ALL_FEED][0], *(feed_glance(store, settings, slug) for slug in names[1:])]
    feeds = [chains[slug][0] if slug in chains else glance for slug, glance in
             zip(names, front, strict=True)]  # fmt: skip
    titles = {topic.slug: topic.title for topic in settings.topic_list()}
    # Archives first: a feed's prev-archive link never points at a page not written.
    rendered = [pair for slug, pair in chains.items() if plan.feeds is None or slug in plan.feeds]
    archived = publish_archives(
        site, rendered, store.items_by_keys, titles, settings.feeds_dir,
        everything=plan.new_output, touched=set(plan.touched),
    )  # fmt: skip
    summary.archives_written += sum(result.written for result in archived.values())
    remove_stale_archives(settings.feeds_dir, {feed.slug for feed in feeds})
    summary.published = publish_site(
        site, feeds, items, titles, settings.feeds_dir, plan.feeds, front=front
    )
    if plan.feeds is None:  # writing everything, as after another worker's `feeder remove`
        remove_item_pages(settings.feeds_dir, store.removed_keys())
    write_marker(settings.feeds_dir, fingerprint, versions, now, settings.base_url)
