"""Where everything feeder publishes lives and how it is served: one table of the feed
views (extension, media type, renderer, label), the other published names, and the
functions that build each path and URL. The web layer's allow-list of served names is
derived from it, so a new format touches this table and one renderer. Pure: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode


@dataclass(frozen=True)
class View:
    """One form a feed is published in: the file `<slug>.<name>`."""

    name: str  # the file's extension
    media_type: str  # as `<link type>` and Accept name it
    content_type: str  # the Content-Type it is served with
    renderer: Literal["feedgen", "jsonfeed", "page"]  # what writes it (see `render_document`)
    label: str  # as a person reads it on a button
    feed: bool = True  # a format feed readers subscribe to (else the page a browser shows)
    also_accepted: tuple[str, ...] = ()  # other types an Accept header may ask for it by


VIEWS = (
    View(
        "atom",
        "application/atom+xml",
        "application/atom+xml; charset=utf-8",
        "feedgen",
        "Atom",
        also_accepted=("application/xml", "text/xml"),
    ),
    View(
        "rss",
        "application/rss+xml",
        "application/rss+xml; charset=utf-8",
        "feedgen",
        "RSS",
        also_accepted=("application/xml", "text/xml"),
    ),
    View(
        "json",
        "application/feed+json",
        "application/feed+json",
        "jsonfeed",
        "JSON Feed",
        also_accepted=("application/json",),
    ),
    View(
        "html",
        "text/html",
        "text/html; charset=utf-8",
        "page",
        "HTML",
        feed=False,
        also_accepted=("application/xhtml+xml",),
    ),
)
VIEW = {view.name: view for view in VIEWS}
# What is written per feed: every view; what a reader subscribes to: the feed formats.
FEED_VIEWS = tuple(view.name for view in VIEWS)
FEED_FORMATS = tuple(view.name for view in VIEWS if view.feed)

PAGE = "html"  # the extension of every page a browser shows
INDEX = f"index.{PAGE}"
OPML = "feeds.opml"
OPML_CONTENT_TYPE = "text/x-opml; charset=utf-8"
STYLESHEET = "style.css"  # the one stylesheet every page links, written once
STYLESHEET_CONTENT_TYPE = "text/css; charset=utf-8"
ITEMS = "items"  # the folder of the item pages
ARCHIVE = "archive"  # the folder of the RFC 5005 archives, one folder per feed
ARCHIVE_VIEW = "atom"  # archive pages are Atom only
ARCHIVE_MANIFEST = ".pages.json"  # per feed: the keys of each closed page
# What the monthly archives of feeder 0.x left in a feed's archive folder.
LEGACY_ARCHIVE_MANIFEST = ".periods.json"
MARKER = ".feeder-published.json"  # what the files were last published from (see plan.py)
SEARCH = "search"  # the search feed, `search.<view>`, is served but never written

_SLUG = r"[a-z0-9][a-z0-9-]*"
FEED_NAME = re.compile(rf"(?P<slug>{_SLUG})\.(?P<view>{'|'.join(FEED_VIEWS)})")
ITEM_NAME = re.compile(rf"{ITEMS}/(?P<key>[0-9a-f]{{24}})\.{PAGE}")
ARCHIVE_PAGE = re.compile(rf"page-(?P<page>[1-9][0-9]*)\.{ARCHIVE_VIEW}")
ARCHIVE_NAME = re.compile(rf"{ARCHIVE}/(?P<slug>{_SLUG})/{ARCHIVE_PAGE.pattern}")
LEGACY_ARCHIVE_PAGE = re.compile(rf"[0-9]{{4}}-[0-9]{{2}}\.{ARCHIVE_VIEW}")
LEGACY_ARCHIVE_NAME = re.compile(rf"{ARCHIVE}/(?P<slug>{_SLUG})/{LEGACY_ARCHIVE_PAGE.pattern}")


def _unnamed(pattern: re.Pattern[str]) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern.pattern)


# Every name the publisher writes that may be served (index.html is a feed name too);
# an allow-list, so no request can reach a hidden file or outside the feeds folder.
SERVED_NAME = re.compile(
    "|".join(
        (
            *(_unnamed(p) for p in (FEED_NAME, ITEM_NAME, ARCHIVE_NAME)),
            re.escape(OPML),
            re.escape(STYLESHEET),
        )
    )
)


def feed_path(slug: str, view: str) -> str:
    """Where feed `slug` is published as `view`, below the feeds folder."""
    return f"{slug}.{view}"


def item_file(key: str) -> str:
    """The file name of item `key`'s permalink page, in the items folder."""
    return f"{key}.{PAGE}"


def item_path(key: str) -> str:
    """Where the permalink page of item `key` lives, below the feeds folder."""
    return f"{ITEMS}/{item_file(key)}"


def archive_folder(slug: str) -> str:
    """The folder, below the feeds folder, of feed `slug`'s archive."""
    return f"{ARCHIVE}/{slug}"


def archive_page_name(page: int) -> str:
    """The file name of archive page `page` (1 = oldest) in its feed's folder."""
    return f"page-{page}.{ARCHIVE_VIEW}"


def archive_path(slug: str, page: int) -> str:
    """Where archive page `page` (1 = oldest) of one feed lives, below the feeds folder."""
    return f"{archive_folder(slug)}/{archive_page_name(page)}"


def archive_manifest(slug: str) -> str:
    """Where, below the feeds folder, a feed's archive records its pages."""
    return f"{archive_folder(slug)}/{ARCHIVE_MANIFEST}"


def feed_url(base_url: str, slug: str, view: str, query: str | None = None) -> str:
    """The URL of feed `slug` as `view`; with `query`, the search feed for those words."""
    url = f"{base_url}{feed_path(slug, view)}"
    return f"{url}?{urlencode({'q': query})}" if query is not None else url


def item_url(base_url: str, key: str) -> str:
    """The URL of item `key`'s permalink page."""
    return f"{base_url}{item_path(key)}"


def archive_url(base_url: str, slug: str, page: int) -> str:
    """The URL of RFC 5005 archive page `page` (1 = oldest) of one feed."""
    return f"{base_url}{archive_path(slug, page)}"


_CONTENT_TYPES = {
    **{view.name: view.content_type for view in VIEWS},
    OPML.rpartition(".")[2]: OPML_CONTENT_TYPE,
    STYLESHEET.rpartition(".")[2]: STYLESHEET_CONTENT_TYPE,
}


def content_type(name: str) -> str | None:
    """The Content-Type a published file is served with, by its extension (None: not
    one the publisher writes)."""
    return _CONTENT_TYPES.get(name.rpartition(".")[2])
