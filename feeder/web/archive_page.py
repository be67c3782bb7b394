"""The HTML view of an RFC 5005 archive page (`archive/<slug>/page-<n>.atom`),
for a browser that opens an archive URL. Rendered from the published Atom file
itself, so the page shows exactly the entries that URL serves to feed readers, and
only archives that exist have a page. Pure: bytes in, bytes out."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from feeder.model import Site
from feeder.publish.pages import page_html

_ATOM = "{http://www.w3.org/2005/Atom}"
# Our own file, but parsed as strictly as any feed: no entities, no network.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_ROOT = "../../"  # from archive/<slug>/ back to the site's root


class ArchivePageError(ValueError):
    """The archive document cannot be read as Atom; the message says why."""


@dataclass(frozen=True)
class _Entry:
    title: str
    url: str
    published: datetime | None
    author: str | None
    summary: str
    topics: tuple[tuple[str, str], ...]  # (slug, title)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _text(element: etree._Element | None, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _link(element: etree._Element, rel: str) -> str | None:
    for link in element.iterfind(f"{_ATOM}link"):
        if link.get("rel", "alternate") == rel and link.get("href"):
            return str(link.get("href"))
    return None


def _when(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _entries(root: etree._Element, site: Site) -> list[_Entry]:
    entries = []
    for entry in root.iterfind(f"{_ATOM}entry"):
        topics = tuple(
            (str(c.get("term")), str(c.get("label") or c.get("term")))
            for c in entry.iterfind(f"{_ATOM}category")
            if c.get("scheme") and c.get("term")  # feeder's topics carry a scheme
        )
        entries.append(
            _Entry(
                title=_text(entry, f"{_ATOM}title"),
                url=_link(entry, "alternate") or "",
                published=_when(_text(entry, f"{_ATOM}published")),
                author=_text(entry, f"{_ATOM}author/{_ATOM}name") or None,
                summary=_text(entry, f"{_ATOM}summary"),
                topics=topics,
            )
        )
    return entries


def _local(site: Site, url: str) -> str:
    """One of the site's own URLs as a link relative to this page, so the page works
    wherever it is served from."""
    return _ROOT + url.removeprefix(site.base_url) if url.startswith(site.base_url) else url


def _entry_html(site: Site, entry: _Entry) -> str:
    meta = []
    if entry.published:
        day = site.day_of(entry.published).isoformat()
        meta.append(f'<time datetime="{_e(entry.published.isoformat())}">{day}</time>')
    if entry.author:
        meta.append(_e(entry.author))
    if entry.topics:
        meta.append(
            ", ".join(
                f'<a href="{_ROOT}{_e(slug)}.html">{_e(title)}</a>' for slug, title in entry.topics
            )
        )
    summary = f"<p>{_e(entry.summary)}</p>" if entry.summary else ""
    title = (
        f'<a href="{_e(_local(site, entry.url))}">{_e(entry.title)}</a>'
        if entry.url
        else _e(entry.title)
    )
    return f'<article><h2>{title}</h2><p class="meta">{" · ".join(meta)}</p>{summary}</article>\n'


def render_archive_page(
    site: Site, slug: str, page: int, atom: bytes, has_newer: bool = False
) -> bytes:
    """The HTML view of archive page `page` of feed `slug`, from its Atom document:
    what the page is, the feed to subscribe to instead, the pages before and after
    (`has_newer`: whether page `page + 1` exists; else "after" is the feed), and every
    entry. Raises `ArchivePageError` if `atom` is not an Atom feed."""
    name = f"archive/{slug}/page-{page}.atom"
    try:
        root = etree.fromstring(atom, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ArchivePageError(f"{name}: not valid XML: {exc}") from None
    if root.tag != f"{_ATOM}feed":
        raise ArchivePageError(f"{name}: not an Atom feed")
    title = _text(root, f"{_ATOM}title") or f"{slug} (archive page {page})"
    entries = _entries(root, site)
    pages = []
    if before := _link(root, "prev-archive"):
        pages.append(f'<a href="{_e(_local(site, before))}">← older items</a>')
    # Archive pages carry no next-archive link (it would change a full page's bytes);
    # the next page's address follows from this one's.
    newer = f"page-{page + 1}.atom" if has_newer else f"{_ROOT}{_e(slug)}.html"
    pages.append(f'<a href="{newer}">newer items →</a>')
    count = f"{len(entries)} item{'' if len(entries) == 1 else 's'}"
    body = (
        f'<p><a href="{_ROOT}index.html">{_e(site.title)}</a></p>\n'
        f"<h1>{_e(title)}</h1>\n"
        f"<p>One page of a feed's archive, page {page} counting from the oldest; pages "
        f'never change as new items arrive. To get new items, subscribe to <a href="{_ROOT}'
        f'{_e(slug)}.html">the feed</a> instead; feed readers that read archives find '
        "every page from it.</p>\n"
        f'<p class="meta">{count}. {" · ".join(pages)}</p>\n'
        f"{''.join(_entry_html(site, entry) for entry in entries) or '<p>No items.</p>'}\n"
    )
    feed_url = site.feed_url(slug, "atom")
    head = (
        f'<link rel="alternate" type="application/atom+xml" title="{_e(title)}" '
        f'href="{_e(feed_url)}">\n'
    )
    return page_html(title, head, body)
