"""HTML and OPML around the feeds: the index, the readable view of a feed, one
permalink page per item, and the OPML subscription list. Pure rendering: data in,
bytes out. Self-contained pages (inline CSS, no scripts, no external assets) that
read well on a phone."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from feeder.model import DateSource, FeedContent, Site, StoredItem
from feeder.publish.document import FEED_FORMATS, FeedDocument, FeedEntry, also_reported_html

MEDIA_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
FORMAT_NAMES = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
LATEST_ON_INDEX = 20
_STYLE = (
    ":root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--link:#0550ae;"
    "--bg:#fff;--soft:#f6f8fa}"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;"
    "--link:#4493f8;--bg:#0d1117;--soft:#151b23}}"
    "body{font:1rem/1.55 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);"
    "background:var(--bg);max-width:46rem;margin:0 auto;padding:1rem;overflow-wrap:anywhere}"
    "a{color:var(--link)}h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0}"
    "h2{font-size:1.2rem;margin:1.6rem 0 .6rem}"
    ".meta{color:var(--muted);font-size:.9rem}"
    ".list{list-style:none;padding:0;margin:0}.list>li{padding:.7rem 0;"
    "border-bottom:1px solid var(--line)}"
    ".row{display:flex;flex-wrap:wrap;gap:.3rem .8rem;align-items:baseline;"
    "justify-content:space-between}"
    ".buttons{display:flex;flex-wrap:wrap;gap:.4rem}"
    ".button{display:inline-block;padding:.25rem .7rem;border:1px solid var(--line);"
    "border-radius:1rem;background:var(--soft);text-decoration:none;font-size:.9rem}"
    "form{display:flex;gap:.4rem;margin:1rem 0}input{font:inherit;min-width:0;"
    "padding:.4rem .6rem;border:1px solid var(--line);border-radius:.4rem;"
    "background:var(--bg);color:var(--fg)}input[type=search]{flex:1}"
    "button{font:inherit;padding:.4rem .9rem;border-radius:.4rem;border:1px solid var(--line);"
    "background:var(--soft);color:var(--fg)}"
    ".subscribe{display:grid;grid-template-columns:auto 1fr;gap:.4rem .6rem;"
    "align-items:center;margin:1rem 0}.subscribe input{width:100%;box-sizing:border-box}"
    "article{padding:.8rem 0;border-bottom:1px solid var(--line)}"
    "article h2{margin:0 0 .2rem;font-size:1.1rem}article p{margin:.3rem 0}"
)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def page_html(title: str, head: str, body: str) -> bytes:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n{head}<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    ).encode()


def _alternates(title: str, urls: Mapping[str, str]) -> str:
    """`<link rel="alternate">` per feed format, so readers can discover the feed."""
    return "".join(
        f'<link rel="alternate" type="{MEDIA_TYPES[fmt]}" '
        f'title="{_e(title)} ({FORMAT_NAMES[fmt]})" href="{_e(urls[fmt])}">\n'
        for fmt in FEED_FORMATS
        if fmt in urls
    )


def _buttons(slug: str, prefix: str = "") -> str:
    return "".join(
        f'<a class="button" href="{prefix}{_e(slug)}.{fmt}" type="{MEDIA_TYPES[fmt]}">'
        f"{FORMAT_NAMES[fmt]}</a>"
        for fmt in FEED_FORMATS
    )


def search_form(value: str = "") -> str:
    shown = f' value="{_e(value)}"' if value else ""
    return (
        '<form action="search.atom" method="get" role="search">'
        f'<input type="search" name="q" aria-label="Search the news"{shown} '
        'placeholder="Search, e.g. peacekeeping OR exercises" required>'
        "<button>Search</button></form>\n"
    )


def render_index(
    site: Site, feeds: Sequence[FeedContent], topic_titles: Mapping[str, str]
) -> bytes:
    """The front page: every feed with its item count, newest date and subscribe
    buttons, a search box wired to the search feed, and the latest items.
    `feeds[0]` is the feed of everything."""
    head = "".join(
        _alternates(feed.title, {fmt: site.feed_url(feed.slug, fmt) for fmt in FEED_FORMATS})
        for feed in feeds
    )
    rows = []
    for feed in feeds:
        newest = (
            f" · newest {site.day_of(feed.items[0].published).isoformat()}" if feed.items else ""
        )
        count = f"{feed.total} item{'' if feed.total == 1 else 's'}"
        name = topic_titles.get(feed.slug, "All news")
        rows.append(
            f'<li class="row"><span><a href="{_e(feed.slug)}.html">{_e(name)}</a> '
            f'<span class="meta">{count}{newest}</span></span>'
            f'<span class="buttons">{_buttons(feed.slug)}</span></li>\n'
        )
    latest = "".join(
        f'<li><a href="items/{_e(item.key)}.html">{_e(item.title)}</a>'
        f'<br><span class="meta">{_e(describe_date(site, item))}</span></li>\n'
        for item in (feeds[0].items[:LATEST_ON_INDEX] if feeds else [])
    )
    body = (
        f"<h1>{_e(site.title)}</h1>\n"
        "<p>News by topic as web feeds. Click a format to see its address, then paste it "
        "into your feed reader; or import "
        '<a href="feeds.opml">every feed at once as OPML</a>.</p>\n'
        f"{search_form()}"
        f'<h2>Feeds</h2>\n<ul class="list">\n{"".join(rows)}</ul>\n'
        f'<h2>Latest items</h2>\n<ul class="list">\n{latest}</ul>\n'
    )
    return page_html(site.title, head, body)


def _local(site: Site, url: str) -> str:
    """A link to one of the site's own pages, relative to the site's root, so the
    page works wherever it is served from."""
    return url.removeprefix(site.base_url) if url.startswith(site.base_url) else url


def _entry_html(site: Site, entry: FeedEntry) -> str:
    topics = ", ".join(
        f'<a href="{_e(topic.term)}.html">{_e(topic.label)}</a>' for topic in entry.topics
    )
    day = site.day_of(entry.published).isoformat()
    meta = f'<time datetime="{_e(entry.published.isoformat())}">{day}</time>'
    if entry.author:
        meta += f" · {_e(entry.author)}"
    if topics:
        meta += f" · {topics}"
    summary = f"<p>{_e(entry.summary)}</p>" if entry.summary else ""
    return (
        f'<article><h2><a href="{_e(_local(site, entry.url))}">{_e(entry.title)}</a></h2>'
        f'<p class="meta">{meta}</p>{summary}</article>\n'
    )


def render_feed_page(site: Site, doc: FeedDocument) -> bytes:
    """What a browser shows for a feed's URL: what the feed is, its address in each
    format to copy into a reader, and its entries."""
    subscribe = "".join(
        f'<label for="url-{fmt}">{FORMAT_NAMES[fmt]}</label>'
        f'<input id="url-{fmt}" type="text" readonly value="{_e(doc.urls[fmt])}">'
        for fmt in FEED_FORMATS
    )
    entries = "".join(_entry_html(site, entry) for entry in doc.entries)
    older = (
        f'<p><a href="{_e(_local(site, doc.prev_archive))}">Older items: the archive, '
        "page by page</a> (Atom)</p>\n"
        if doc.prev_archive
        else ""
    )
    shown = len(doc.entries)
    count = f"The newest {shown} of {doc.total} items." if doc.total > shown else ""
    body = (
        f'<p><a href="index.html">{_e(site.title)}</a></p>\n'
        f"{search_form(doc.search) if doc.search is not None else ''}"
        f"<h1>{_e(doc.title)}</h1>\n"
        "<p>This is a web feed. Copy one of these addresses into a feed reader to get "
        "new items as they are published; any format will do.</p>\n"
        f'<div class="subscribe">{subscribe}</div>\n'
        f'<p class="meta">{count}</p>\n{entries or "<p>No items yet.</p>"}\n{older}'
    )
    return page_html(doc.title, _alternates(doc.title, doc.urls), body)


def render_opml(site: Site, feeds: Sequence[FeedContent]) -> bytes:
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
    if item.date_source is DateSource.CONTEXT:
        return f"{day} (day and month from the text, the year from the text or its story)"
    if item.date_source is DateSource.STORY:
        return f"{day} (date of its story: the first dated report of the same event)"
    if item.date_source is DateSource.SET:
        return f"{day} (date set by hand)"
    return f"undated, first seen {item.first_seen.strftime('%Y-%m-%d %H:%M UTC')}"


def _why(item: StoredItem, slug: str) -> str:
    """The relevance judgement's reason for one of the item's topics, if recorded."""
    why = item.why.get(slug)
    return f'<span class="meta why">why this topic: {_e(why)}</span>' if why else ""


def render_item_page(site: Site, item: StoredItem, topic_titles: Mapping[str, str]) -> bytes:
    """The permalink page an entry links to: the item's full text, and the feeds of
    its topics to subscribe to."""
    parts = [
        f'<p><a href="../index.html">{_e(site.title)}</a></p>\n',
        f"<h1>{_e(item.title)}</h1>\n",
    ]
    meta = _e(describe_date(site, item)) + (f" · {_e(item.author)}" if item.author else "")
    parts.append(f'<p class="meta">{meta}</p>\n')
    for block in item.blocks:
        tag = "h2" if block.kind == "h" else "p"
        parts.append(f"<{tag}>{_e(block.text)}</{tag}>\n")
    if item.link:
        parts.append(f'<p><a href="{_e(item.link)}">Read it at the source</a></p>\n')
    if item.story:  # another report of a story: its entry in the feeds is the lead's
        parts.append(
            f'<p class="meta">Another report of a story; its feed entry is '
            f'<a href="{_e(item.story)}.html">its first report</a>.</p>\n'
        )
    if also := also_reported_html(site, item, lambda key: f"{key}.html"):
        parts.append(also + "\n")
    rows = "".join(
        f'<li class="row"><a href="../{_e(slug)}.html">{_e(topic_titles.get(slug, slug))}</a>'
        f'<span class="buttons">{_buttons(slug, "../")}</span>{_why(item, slug)}</li>\n'
        for slug in item.topics
    )
    if rows:
        parts.append(f'<h2>Follow its topics</h2>\n<ul class="list">\n{rows}</ul>\n')
    head = "".join(
        _alternates(
            topic_titles.get(slug, slug),
            {fmt: site.feed_url(slug, fmt) for fmt in FEED_FORMATS},
        )
        for slug in item.topics
    )
    return page_html(item.title, head, "".join(parts))
