"""Publish stored items as files: Atom and RSS feeds (feedgen), the index, OPML and
item pages. Writes a file only when its bytes change, atomically."""

from __future__ import annotations

import html
import os
import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from feedgen.feed import FeedGenerator

from .model import FeedContent, Site, StoredItem
from .pages import render_index, render_item_page, render_opml

FEED_FORMATS = ("atom", "rss")
# An empty feed still needs an `updated`; a fixed instant keeps it byte-stable.
_EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)


class PublishError(Exception):
    """An output file could not be written; the message names it."""


@dataclass
class PublishResult:
    feeds_rendered: int = 0
    feeds_written: int = 0
    feeds_unchanged: int = 0
    pages_written: int = 0
    removed: int = 0


def content_html(item: StoredItem) -> str:
    """The item's body as HTML paragraphs and subheadings, all text escaped."""
    tags = {"p": "p", "h": "h3"}
    return "\n".join(
        f"<{tags[b.kind]}>{html.escape(b.text, quote=False)}</{tags[b.kind]}>" for b in item.blocks
    )


def _feed_generator(site: Site, feed: FeedContent, fmt: str) -> FeedGenerator:
    fg = FeedGenerator()
    query = f"?q={quote(feed.query, safe='')}" if feed.query is not None else ""
    fg.id(site.tag(f"feed/{feed.slug}{query}"))
    fg.title(feed.title)
    fg.subtitle(f"{feed.title}: the newest {len(feed.items)} of {feed.total} items")
    fg.author({"name": site.title})
    fg.link(href=site.feed_url(feed.slug, fmt, feed.query), rel="self")
    fg.link(href=site.base_url, rel="alternate", type="text/html")  # last link is RSS <link>
    fg.language("en")
    fg.generator("feeder")
    newest = max((item.updated for item in feed.items), default=_EMPTY_FEED_UPDATED)
    fg.updated(newest)  # the content's time, never "now": unchanged content, unchanged bytes
    return fg


def _add_entry(
    fg: FeedGenerator, site: Site, item: StoredItem, topic_titles: Mapping[str, str], fmt: str
) -> None:
    fe = fg.add_entry(order="append")
    fe.id(site.tag(f"item/{item.key}"))
    fe.title(item.title)
    # An item from the web links to its own page; others to their permalink page.
    # feedgen 1.0 writes entry links without rel/type (its issue #135); Atom's default
    # rel is "alternate", so the link still means "the item's page".
    fe.link(href=item.link or site.item_url(item.key), rel="alternate", type="text/html")
    fe.published(item.published)
    fe.updated(item.updated)
    if item.summary:
        # Atom says its summary is text; RSS readers take <description> as HTML, where
        # a plain `<` or `&` in the text would be markup.
        fe.summary(item.summary if fmt == "atom" else html.escape(item.summary, quote=False))
    fe.content(content_html(item) or html.escape(item.title), type="html")
    for slug in item.topics:
        fe.category(term=slug, label=topic_titles.get(slug, slug), scheme=site.base_url)
    for label in item.categories:  # the source's own labels, beside feeder's topics
        fe.category(term=label)
    if item.author:
        fe.author({"name": item.author})
        fe.load_extension("dc", atom=False, rss=True)
        fe.dc.dc_creator(item.author)  # RSS <author> must be an e-mail address


def render_feed(site: Site, feed: FeedContent, fmt: str, topic_titles: Mapping[str, str]) -> bytes:
    """Render one feed as `atom` or `rss` bytes, entries newest first."""
    fg = _feed_generator(site, feed, fmt)
    for item in feed.items:
        _add_entry(fg, site, item, topic_titles, fmt)
    if fmt == "atom":
        return fg.atom_str(pretty=True)
    return fg.rss_str(pretty=True)


def write_if_changed(path: Path, data: bytes, durable: bool = True) -> bool:
    """Atomically replace `path` with `data` unless it already holds exactly that.

    Returns True when written. Readers see the old file or the new one, never half.
    `durable` also flushes the data to disk before the rename, so even a power cut
    cannot leave an empty file; item pages skip it (one fsync per page made a cold
    publish of 100,000 pages take minutes) since a refresh can always rewrite them.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise PublishError(f"{path}: cannot read: {exc.strerror}") from exc
    # A fresh random name each time (never another writer's file, even one in another
    # container sharing the folder); a crash can leave one behind, hidden and never served.
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    created = False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        created = True
        try:
            os.fchmod(fd, 0o644)  # whatever the umask: a web server must read it
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        if created:
            tmp.unlink(missing_ok=True)
        raise PublishError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    return True


def publish_site(
    site: Site,
    feeds: list[FeedContent],
    items: Iterable[StoredItem],
    topic_titles: Mapping[str, str],
    out_dir: Path,
    render: Collection[str] | None = None,
) -> PublishResult:
    """Write the feeds in both formats, the index, the OPML list and a page per item
    of `items`. Only the feeds named in `render` are rendered (None: all of them);
    the others are left as they are. Feed files for topics no longer configured
    are removed."""
    result = PublishResult()
    wanted = set()
    for feed in feeds:
        for fmt in FEED_FORMATS:
            path = out_dir / f"{feed.slug}.{fmt}"
            wanted.add(path.name)
            if render is not None and feed.slug not in render and path.exists():
                result.feeds_unchanged += 1
                continue
            result.feeds_rendered += 1
            if write_if_changed(path, render_feed(site, feed, fmt, topic_titles)):
                result.feeds_written += 1
            else:
                result.feeds_unchanged += 1
    for name, data in (
        ("index.html", render_index(site, feeds)),
        ("feeds.opml", render_opml(site, feeds)),
    ):
        result.pages_written += write_if_changed(out_dir / name, data)
    for item in items:
        page = render_item_page(site, item, topic_titles)
        path = out_dir / "items" / f"{item.key}.html"
        result.pages_written += write_if_changed(path, page, durable=False)
    for stale in out_dir.glob("*.*"):
        if stale.suffix.lstrip(".") in FEED_FORMATS and stale.name not in wanted:
            stale.unlink(missing_ok=True)
            result.removed += 1
    return result
