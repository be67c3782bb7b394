"""Atom and RSS 2.0 from a `FeedDocument`, written by feedgen."""

from __future__ import annotations

import html

from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feeder.publish.document import FeedDocument, FeedEntry

ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005


class _FeedLinks(BaseExtension):
    """What feedgen does not write itself: RFC 5005's `<fh:archive/>` in Atom, and in
    RSS the `atom:link`s for the WebSub hub and the archive (feedgen's RSS keeps only
    `self`)."""

    def __init__(self) -> None:
        self.archive = False
        self.rss_links: list[tuple[str, str]] = []  # (rel, href)

    def extend_ns(self) -> dict[str, str]:
        return {"fh": HISTORY_NS} if self.archive else {}

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        if self.archive:
            etree.SubElement(feed, f"{{{HISTORY_NS}}}archive")
        return feed

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        channel = feed[0]
        for rel, href in self.rss_links:
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=href, rel=rel)
        return feed


def _generator(doc: FeedDocument, fmt: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.register_extension("feeder_links", _FeedLinks, None)
    fg.id(doc.id)
    fg.title(doc.title)
    fg.subtitle(doc.subtitle)
    fg.author({"name": doc.author})
    fg.link(href=doc.urls[fmt], rel="self")
    extra = [
        ("hub", doc.hub),
        ("current", doc.current),
        ("prev-archive", doc.prev_archive),
        ("next-archive", doc.next_archive),
    ]
    for rel, href in extra:
        if href:
            fg.link(href=href, rel=rel)
    fg.link(href=doc.home_url, rel="alternate", type="text/html")  # last link is RSS <link>
    links: _FeedLinks = fg.feeder_links
    links.archive = doc.is_archive
    links.rss_links = [(rel, href) for rel, href in extra if href and rel != "current"]
    fg.language("en")
    fg.generator("feeder")
    fg.updated(doc.updated)
    return fg


def _add_entry(fg: FeedGenerator, entry: FeedEntry, fmt: str) -> None:
    fe = fg.add_entry(order="append")
    fe.id(entry.id)
    fe.title(entry.title)
    # feedgen 1.0 writes entry links without rel/type (its issue #135); Atom's default
    # rel is "alternate", so the link still means "the item's page".
    fe.link(href=entry.url, rel="alternate", type="text/html")
    fe.published(entry.published)
    fe.updated(entry.updated)
    if entry.summary:
        # Atom says its summary is text; RSS readers take <description> as HTML, where
        # a plain `<` or `&` in the text would be markup.
        fe.summary(entry.summary if fmt == "atom" else html.escape(entry.summary, quote=False))
    fe.content(entry.content_html, type="html")
    for category in entry.categories:
        if category.scheme:
            fe.category(term=category.term, label=category.label, scheme=category.scheme)
        else:
            fe.category(term=category.term)
    if entry.author:
        fe.author({"name": entry.author})
        fe.load_extension("dc", atom=False, rss=True)
        fe.dc.dc_creator(entry.author)  # RSS <author> must be an e-mail address


def render_atom_or_rss(doc: FeedDocument, fmt: str) -> bytes:
    """`doc` as Atom (`fmt="atom"`) or RSS 2.0 (`"rss"`) bytes, entries in its order."""
    fg = _generator(doc, fmt)
    for entry in doc.entries:
        _add_entry(fg, entry, fmt)
    if fmt == "atom":
        return fg.atom_str(pretty=True)
    return fg.rss_str(pretty=True)
