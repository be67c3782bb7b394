"""Atom and RSS 2.0 from a `FeedDocument`, written by feedgen. Archive pages may take
their entries from `RenderedEntries`: each entry rendered by feedgen once and spliced
into every page that holds it, byte for byte what feedgen writes for the whole page."""

from __future__ import annotations

import html
from collections import OrderedDict
from dataclasses import replace

from feedgen.entry import FeedEntry as FeedgenEntry
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


def _add_entry(fg: FeedGenerator, entry: FeedEntry, fmt: str) -> FeedgenEntry:
    fe: FeedgenEntry = fg.add_entry(order="append")
    fe.id(entry.id)
    fe.title(entry.title)
    # feedgen 1.0 writes entry links without rel/type (its issue #135); Atom's default
    # rel is "alternate", so the link still means "the item's page".
    fe.link(href=entry.url, rel="alternate", type="text/html")
    if entry.published is not None:
        fe.published(entry.published)
    fe.updated(entry.updated)
    if entry.summary:
        # Atom says its summary is text; RSS readers take <description> as HTML, where
        # a plain `<` or `&` in the text would be markup.
        fe.summary(entry.summary if fmt == "atom" else html.escape(entry.summary, quote=False))
    if entry.content_html:  # none in a summary feed (see `document.carries_full_text`)
        fe.content(entry.content_html, type="html")
    for category in entry.categories:
        if category.scheme is not None:  # a topic: its label, and its scheme if written
            fe.category(term=category.term, label=category.label, scheme=category.scheme or None)
        else:
            fe.category(term=category.term)
    if entry.author:
        fe.author({"name": entry.author})
        fe.load_extension("dc", atom=False, rss=True)
        fe.dc.dc_creator(entry.author)  # RSS <author> must be an e-mail address
    return fe


def render_atom_or_rss(doc: FeedDocument, fmt: str) -> bytes:
    """`doc` as Atom (`fmt="atom"`) or RSS 2.0 (`"rss"`) bytes, entries in its order."""
    fg = _generator(doc, fmt)
    for entry in doc.entries:
        _add_entry(fg, entry, fmt)
    # Not indented: whitespace is a tenth of an archive page, and no reader needs it.
    if fmt == "atom":
        return fg.atom_str(pretty=False)
    return fg.rss_str(pretty=False)


# The end of every Atom document feedgen writes; entries go just before it.
_ATOM_END = b"</feed>"


class RenderedEntries:
    """Atom entries as feedgen writes them inside a document, each rendered once and
    kept (the most recently used `size` of them) for every document that holds it.
    Keyed by the entry's whole value, so an entry that differs in anything, as the
    `all` archive's and a topic's may, is rendered apart."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self.rendered = 0  # entries feedgen rendered
        self.reused = 0  # entries taken from the cache
        self._cache: OrderedDict[FeedEntry, bytes] = OrderedDict()
        self._fg = FeedGenerator()

    def atom(self, entry: FeedEntry) -> bytes:
        """`entry` as it appears in an Atom document."""
        found = self._cache.get(entry)
        if found is not None:
            self._cache.move_to_end(entry)
            self.reused += 1
            return found
        fe = _add_entry(self._fg, entry, "atom")
        self._fg.remove_entry(fe)
        # Serialised under a parent, as in the document (namespaces are declared there).
        parent = etree.Element("feed")
        parent.append(fe.atom_entry())
        text = etree.tostring(parent, encoding="UTF-8", xml_declaration=False)
        data = text[len(b"<feed>") : -len(_ATOM_END)]
        self._cache[entry] = data
        self.rendered += 1
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return data


def render_atom_spliced(doc: FeedDocument, entries: RenderedEntries) -> bytes:
    """`doc` as Atom, the same bytes as `render_atom_or_rss(doc, "atom")`: feedgen
    writes the document without its entries, and each entry comes from `entries`."""
    head = render_atom_or_rss(replace(doc, entries=()), "atom")
    if not head.endswith(_ATOM_END):  # not what feedgen 1.0 writes: render it whole
        return render_atom_or_rss(doc, "atom")
    body = b"".join(entries.atom(entry) for entry in doc.entries)
    return head[: -len(_ATOM_END)] + body + _ATOM_END
