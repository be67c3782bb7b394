"""The HTML view of an RFC 5005 archive page (`archive/<slug>/page-<n>.atom`),
for a browser that opens an archive URL. Rendered from the published Atom file
itself, so the page shows exactly the entries that URL serves to feed readers, and
only archives that exist have a page. Pure: bytes in, bytes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from lxml import html as lxml_html

from feeder.errors import ArchivePageError
from feeder.model import Site
from feeder.normalize import shorten
from feeder.publish.document import SUMMARY_LENGTH
from feeder.publish.layout import (
    ARCHIVE_VIEW,
    PAGE,
    VIEW,
    archive_page_name,
    archive_path,
    feed_path,
)
from feeder.publish.pages import render_page

_ATOM = "{http://www.w3.org/2005/Atom}"
# Our own file, but parsed as strictly as any feed: no entities, no network.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_ROOT = "../../"  # from archive/<slug>/ back to the site's root


@dataclass(frozen=True)
class _Entry:
    """One entry of the archive document, as its page shows it."""

    title: str
    url: str
    published: datetime | None
    author: str | None
    summary: str
    topics: tuple[tuple[str, str], ...]  # (slug, title)


def _text(element: etree._Element | None, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _lead(entry: etree._Element) -> str:
    """The opening of an entry's HTML content, as plain text: what the view shows of an
    entry whose page carries the full text without a summary (the `all` archive)."""
    content = _text(entry, f"{_ATOM}content")
    if not content:
        return ""
    text = " ".join(lxml_html.fragment_fromstring(content, create_parent="div").itertext())
    return shorten(" ".join(text.split()), SUMMARY_LENGTH)


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


def _entries(root: etree._Element) -> list[_Entry]:
    entries = []
    for entry in root.iterfind(f"{_ATOM}entry"):
        topics = tuple(
            (str(c.get("term")), str(c.get("label") or c.get("term")))
            for c in entry.iterfind(f"{_ATOM}category")
            # feeder's topics carry a label (and a scheme, but in archives)
            if (c.get("scheme") or c.get("label")) and c.get("term")
        )
        title = _text(entry, f"{_ATOM}title")
        entries.append(
            _Entry(
                title=title,
                url=_link(entry, "alternate") or "",
                # An archive entry never edited says its time once, as `updated`.
                published=_when(
                    _text(entry, f"{_ATOM}published") or _text(entry, f"{_ATOM}updated")
                ),
                author=_text(entry, f"{_ATOM}author/{_ATOM}name") or None,
                # A topic's archive entry is its title, time, topics and link: no text.
                summary=_text(entry, f"{_ATOM}summary") or _lead(entry),
                topics=topics,
            )
        )
    return entries


def render_archive_page(
    site: Site, slug: str, page: int, atom: bytes, has_newer: bool = False
) -> bytes:
    """The HTML view of archive page `page` of feed `slug`, from its Atom document:
    what the page is, the feed to subscribe to instead, the pages before and after
    (`has_newer`: whether page `page + 1` exists; else "after" is the feed), and every
    entry. Raises `ArchivePageError` if `atom` is not an Atom feed."""
    name = archive_path(slug, page)
    try:
        root = etree.fromstring(atom, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ArchivePageError(f"{name}: not valid XML: {exc}") from None
    if root.tag != f"{_ATOM}feed":
        raise ArchivePageError(f"{name}: not an Atom feed")
    title = _text(root, f"{_ATOM}title") or f"{slug} (archive page {page})"
    return render_page(
        "archive.html",
        title=title,
        site=site,
        slug=slug,
        page=page,
        entries=_entries(root),
        before=_link(root, "prev-archive"),
        newer=archive_page_name(page + 1) if has_newer else _ROOT + feed_path(slug, PAGE),
        feed_url=site.feed_url(slug, ARCHIVE_VIEW),
        atom=VIEW[ARCHIVE_VIEW],
        root=_ROOT,
    )
