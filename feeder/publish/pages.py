"""HTML and OPML around the feeds: the index, the readable view of a feed, one
permalink page per item, and the OPML subscription list, from the Jinja2 templates in
`templates/`. Pure rendering: data in, bytes out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from feeder.model import DateSource, FeedContent, Site, StoredItem
from feeder.publish import layout
from feeder.publish.document import FeedDocument, also_reported_html

LATEST_ON_INDEX = 20


def describe_date(site: Site, item: StoredItem) -> str:
    """The item's date as a reader should understand it, saying where it came from."""
    day = site.day_of(item.published).isoformat()
    if item.date_source is DateSource.EXPLICIT:
        return day
    if item.date_source is DateSource.TEXT:
        return f"{day} (date taken from the text)"
    if item.date_source is DateSource.CONTEXT:
        return f"{day} (day and month from the text, the year from the text or its story)"
    if item.date_source is DateSource.STORY:
        return f"{day} (date of its story: the first dated report of the same event)"
    if item.date_source is DateSource.SET:
        return f"{day} (date set by hand)"
    return f"undated, first seen {item.first_seen.strftime('%Y-%m-%d %H:%M UTC')}"


def site_link(site: Site, url: str, root: str = "") -> str:
    """A link to one of the site's own URLs relative to a page `root` below the site's
    root (`""`, `"../"`), so the page works wherever it is served from."""
    return root + url.removeprefix(site.base_url) if url.startswith(site.base_url) else url


def feed_urls(site: Site, slug: str) -> dict[str, str]:
    """Feed `slug`'s URL in each feed format."""
    return {fmt: site.feed_url(slug, fmt) for fmt in layout.FEED_FORMATS}


# Every value is escaped (OPML is XML: escaped too), and a missing one is an error.
_TEMPLATES = Environment(
    loader=PackageLoader("feeder.publish"),
    autoescape=select_autoescape(["html", "opml"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,  # they ship with the code: no stat of every template on every page
)
_TEMPLATES.globals.update(
    formats=[layout.VIEW[fmt] for fmt in layout.FEED_FORMATS],
    index=layout.INDEX,
    opml=layout.OPML,
    search=layout.SEARCH,
    feed_path=layout.feed_path,
    item_path=layout.item_path,
    item_file=layout.item_file,
    feed_urls=feed_urls,
    describe_date=describe_date,
    site_link=site_link,
)


def render_page(template: str, **context: Any) -> bytes:
    """The page (or OPML list) `template` renders from `context`, as UTF-8 bytes."""
    return _TEMPLATES.get_template(template).render(context).encode()


def render_index(
    site: Site, feeds: Sequence[FeedContent], topic_titles: Mapping[str, str]
) -> bytes:
    """The front page: every feed with its item count, newest date and subscribe
    buttons, a search box wired to the search feed, and the latest items.
    `feeds[0]` is the feed of everything."""
    latest = feeds[0].items[:LATEST_ON_INDEX] if feeds else []
    return render_page(
        "index.html",
        title=site.title,
        site=site,
        feeds=feeds,
        latest=latest,
        topic_titles=topic_titles,
    )


def render_feed_page(site: Site, doc: FeedDocument) -> bytes:
    """What a browser shows for a feed's URL: what the feed is, its address in each
    format to copy into a reader, and its entries."""
    return render_page("feed.html", title=doc.title, site=site, doc=doc)


def render_item_page(site: Site, item: StoredItem, topic_titles: Mapping[str, str]) -> bytes:
    """The permalink page an entry links to: the item's full text, and the feeds of
    its topics to subscribe to."""
    also = Markup(also_reported_html(site, item, layout.item_file))  # escaped as it is built
    return render_page(
        "item.html",
        title=item.title,
        site=site,
        item=item,
        also=also,
        topic_titles=topic_titles,
        root="../",
    )


def render_opml(site: Site, feeds: Sequence[FeedContent]) -> bytes:
    """OPML 2.0 list of every Atom feed, for importing them all into a reader at once."""
    return render_page("feeds.opml", site=site, feeds=feeds)
