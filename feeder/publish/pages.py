"""HTML and OPML around the feeds: the index, the readable view of a feed, one
permalink page per item, the OPML subscription list and the stylesheet every page
links, from the Jinja2 templates in `templates/`. Pure rendering: data in, bytes out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import Any, NamedTuple

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
    root="",  # a page at the site's root; others pass the way back to it
    stylesheet=layout.STYLESHEET,
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


_ITEM_PAGE = _TEMPLATES.get_template("item.html")  # the hot one: thousands a publish


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


class _Topic(NamedTuple):
    """One of an item's topics as its page shows it."""

    alternate: Markup  # `<link rel="alternate">` to the topic's Atom feed
    link: Markup  # to the topic's page, which holds its addresses in every format
    why: str


@cache
def _topic_markup(base_url: str, slug: str, title: str) -> tuple[Markup, Markup]:
    # The same for every page of a publish: made once, not once per item. One feed
    # format is enough to discover the feed by; its page lists every format.
    # Relative, like every link of the page (readers resolve it against the page's
    # address): the site's address on every item page was a tenth of its bytes.
    atom = layout.VIEW["atom"]
    alternate = Markup('<link rel="alternate" type="{}" title="{}" href="../{}">').format(
        atom.media_type, title, layout.feed_path(slug, atom.name)
    )
    link = Markup('<a href="../{}">{}</a>').format(layout.feed_path(slug, layout.PAGE), title)
    return alternate, link


def render_item_page(site: Site, item: StoredItem, topic_titles: Mapping[str, str]) -> bytes:
    """The permalink page an entry links to: the item's full text, its story's other
    reports, and its topics (why it is in each), each linked to its feed: to discover
    in the page's head, to subscribe to on the topic's page."""
    topics = [
        _Topic(
            *_topic_markup(site.base_url, slug, topic_titles.get(slug, slug)),
            item.why.get(slug, ""),
        )
        for slug in item.topics
    ]
    also = Markup(also_reported_html(site, item, layout.item_file))  # escaped as it is built
    return _ITEM_PAGE.render(
        title=item.title,
        site=site,
        item=item,
        date=describe_date(site, item),
        also=also,
        topics=topics,
        root="../",
    ).encode()


def render_stylesheet() -> bytes:
    """The stylesheet every page links, written once at `layout.STYLESHEET`."""
    return files("feeder.publish").joinpath("templates", "style.css").read_bytes()


def render_opml(site: Site, feeds: Sequence[FeedContent]) -> bytes:
    """OPML 2.0 list of every Atom feed, for importing them all into a reader at once."""
    return render_page("feeds.opml", site=site, feeds=feeds)
