"""Publish stage: stored items become files in `feeds/`. Every feed in Atom, RSS
and JSON Feed plus a readable HTML view, all rendered from one `FeedDocument`; the
index, OPML list and item pages; RFC 5005 archive pages. A file is written only
when its bytes change, atomically."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from feeder.errors import PublishError
from feeder.model import FeedContent, Site, StoredItem
from feeder.publish import layout
from feeder.publish.archive import (
    ArchiveResult,
    publish_archive,
    remove_stale_archives,
)
from feeder.publish.atom_rss import render_atom_or_rss
from feeder.publish.document import FeedDocument, content_html, feed_document
from feeder.publish.files import remove_stale_temp_files, write_if_changed
from feeder.publish.item_pages import PagePool, write_item_pages
from feeder.publish.jsonfeed import render_json_feed
from feeder.publish.layout import FEED_FORMATS, FEED_VIEWS, archive_manifest
from feeder.publish.pages import (
    render_feed_page,
    render_index,
    render_opml,
    render_stylesheet,
)

__all__ = [
    "FEED_FORMATS",
    "FEED_VIEWS",
    "ArchiveResult",
    "FeedDocument",
    "PagePool",
    "PublishError",
    "PublishResult",
    "archive_manifest",
    "content_html",
    "feed_document",
    "layout",
    "publish_archive",
    "publish_site",
    "remove_item_pages",
    "remove_stale_archives",
    "remove_stale_temp_files",
    "render_document",
    "render_feed",
    "write_if_changed",
]


@dataclass
class PublishResult:
    """What one `publish_site` wrote, for the refresh summary."""

    feeds_rendered: int = 0
    feeds_written: int = 0
    feeds_unchanged: int = 0
    pages_written: int = 0
    removed: int = 0
    changed_feeds: list[str] = field(default_factory=list)  # slugs whose feed bytes changed


def render_document(site: Site, doc: FeedDocument, view: str) -> bytes:
    """`doc` in one of `FEED_VIEWS`, by the renderer the layout names for it."""
    renderer = layout.VIEW[view].renderer
    if renderer == "jsonfeed":
        return render_json_feed(doc)
    if renderer == "page":
        return render_feed_page(site, doc)
    return render_atom_or_rss(doc, view)


def render_feed(site: Site, feed: FeedContent, view: str, topic_titles: Mapping[str, str]) -> bytes:
    """Render one feed in one of `FEED_VIEWS`, entries newest first."""
    return render_document(site, feed_document(site, feed, topic_titles), view)


def publish_site(
    site: Site,
    feeds: list[FeedContent],
    items: Iterable[StoredItem],
    topic_titles: Mapping[str, str],
    out_dir: Path,
    render: Collection[str] | None = None,
    pool: PagePool | None = None,
    front: list[FeedContent] | None = None,
) -> PublishResult:
    """Write every feed in each of `FEED_VIEWS`, the index, the OPML list and a page
    per item of `items`. Only the feeds named in `render` are rendered (None: all of
    them); the others are left as they are. Files of feeds no longer configured are
    removed. Many item pages are rendered in `pool` (default: one worker per core).
    The index lists `front` (default `feeds`): each feed's total and newest entry."""
    result = PublishResult()
    for feed in feeds:
        doc = None
        changed = False
        for view in FEED_VIEWS:
            path = out_dir / layout.feed_path(feed.slug, view)
            # A feed outside `render` is left as it is, even when a file of it has gone
            # meanwhile: `feeds` may hold only its glance, and the next publish finds the
            # gap and renders everything.
            if render is not None and feed.slug not in render:
                result.feeds_unchanged += 1
                continue
            doc = doc or feed_document(site, feed, topic_titles)
            result.feeds_rendered += 1
            if write_if_changed(path, render_document(site, doc, view)):
                result.feeds_written += 1
                changed |= view in FEED_FORMATS
            else:
                result.feeds_unchanged += 1
        if changed:
            result.changed_feeds.append(feed.slug)
    for name, data in (
        (layout.INDEX, render_index(site, front or feeds, topic_titles)),
        (layout.OPML, render_opml(site, feeds)),
        (layout.STYLESHEET, render_stylesheet()),
    ):
        result.pages_written += write_if_changed(out_dir / name, data)
    pool = pool or PagePool.for_this_machine()
    result.pages_written += write_item_pages(site, items, topic_titles, out_dir, pool)
    result.removed += _remove_stale_feeds(out_dir, {feed.slug for feed in feeds})
    return result


def remove_item_pages(out_dir: Path, keys: Collection[str]) -> int:
    """Delete the pages of these items (removed by the user); how many were there."""
    removed = 0
    for key in keys:
        path = out_dir / layout.item_path(key)
        if path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _remove_stale_feeds(out_dir: Path, slugs: set[str]) -> int:
    """Delete the files of feeds no longer published (a topic was removed): every view
    of a name that has an Atom file here. Other files (`about.html`, dotfiles) stay."""
    removed = 0
    for atom in list(out_dir.glob(layout.feed_path("[a-z0-9]*", "atom"))):
        if atom.stem in slugs:
            continue
        for view in FEED_VIEWS:
            path = out_dir / layout.feed_path(atom.stem, view)
            if path.is_file():
                path.unlink(missing_ok=True)
                removed += 1
    return removed
