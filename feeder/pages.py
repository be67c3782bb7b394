"""HTML and OPML pages around the feeds: the feed index, the OPML subscription list
and one permalink page per item. Pure rendering: data in, bytes out."""

from __future__ import annotations

import html
from collections.abc import Mapping

from .model import DateSource, FeedContent, Site, StoredItem

_MEDIA_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#222}a{color:#0645ad}table{border-collapse:collapse;width:100%}"
    "td,th{padding:.3rem .5rem;border-bottom:1px solid #ddd;text-align:left}"
    ".meta{color:#666;font-size:.9rem}"
)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _page(title: str, head: str, body: str) -> bytes:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n{head}<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    ).encode()


def render_index(site: Site, feeds: list[FeedContent]) -> bytes:
    """The feed index: every feed with its item count and subscribe links, plus
    `<link rel="alternate">` so readers can discover the feeds from the page."""
    head = "".join(
        f'<link rel="alternate" type="{_MEDIA_TYPES[fmt]}" '
        f'title="{_e(feed.title)} ({fmt.upper()})" href="{_e(site.feed_url(feed.slug, fmt))}">\n'
        for feed in feeds
        for fmt in ("atom", "rss")
    )
    rows = "".join(
        f"<tr><td>{_e(feed.title)}</td><td>{feed.total}</td>"
        f'<td><a href="{_e(feed.slug)}.atom">Atom</a> · '
        f'<a href="{_e(feed.slug)}.rss">RSS</a></td></tr>\n'
        for feed in feeds
    )
    body = (
        f"<h1>{_e(site.title)}</h1>\n"
        "<p>Subscribe to a topic in your feed reader: copy an Atom or RSS link, or import "
        '<a href="feeds.opml">all feeds as OPML</a>.</p>\n'
        "<table>\n<tr><th>Feed</th><th>Items</th><th>Subscribe</th></tr>\n"
        f"{rows}</table>\n"
    )
    return _page(site.title, head, body)


def render_opml(site: Site, feeds: list[FeedContent]) -> bytes:
    """OPML 2.0 list of every Atom feed, for importing them all into a reader at once."""
    outlines = "".join(
        f'    <outline type="rss" text="{_e(feed.title)}" title="{_e(feed.title)}" '
        f'xmlUrl="{_e(site.feed_url(feed.slug, "atom"))}" htmlUrl="{_e(site.base_url)}"/>\n'
        for feed in feeds
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n'
        f"  <head>\n    <title>{_e(site.title)}</title>\n  </head>\n"
        f"  <body>\n{outlines}  </body>\n</opml>\n"
    ).encode()


def describe_date(site: Site, item: StoredItem) -> str:
    """The item's date as a reader should understand it, saying where it came from."""
    day = site.day_of(item.published).isoformat()
    if item.date_source is DateSource.EXPLICIT:
        return day
    if item.date_source is DateSource.TEXT:
        return f"{day} (date taken from the text)"
    return f"undated, first seen {item.first_seen.strftime('%Y-%m-%d %H:%M UTC')}"


def render_item_page(site: Site, item: StoredItem, topic_titles: Mapping[str, str]) -> bytes:
    """The permalink page an entry links to: the item's full text and its topics."""
    topics = ", ".join(
        f'<a href="../{_e(slug)}.atom">{_e(topic_titles.get(slug, slug))}</a>'
        for slug in item.topics
    )
    parts = [
        f'<p><a href="../index.html">{_e(site.title)}</a></p>\n',
        f"<h1>{_e(item.title)}</h1>\n",
    ]
    meta = _e(describe_date(site, item)) + (f" · {_e(item.author)}" if item.author else "")
    parts.append(f'<p class="meta">{meta}{" · Topics: " + topics if topics else ""}</p>\n')
    for block in item.blocks:
        tag = "h2" if block.kind == "h" else "p"
        parts.append(f"<{tag}>{_e(block.text)}</{tag}>\n")
    if item.link:
        parts.append(f'<p><a href="{_e(item.link)}">Read it at the source</a></p>\n')
    return _page(item.title, "", "".join(parts))
