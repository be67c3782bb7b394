"""Parse RSS 0.9x/1.0/2.0 and Atom feeds into items, safely.

The bytes first go through a strict lxml parse that resolves no entities and
touches no network (no XXE, no entity bombs) and rejects malformed or truncated
XML and documents that are not feeds (an HTML error page, say). Over-long fields
are cut before feedparser sees them (its author regex is quadratic), then
feedparser reads the cleaned bytes and every exception it raises is caught.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import re
from datetime import UTC, datetime
from typing import Any

import feedparser
from lxml import etree

from ..model import Block, DateSource, ItemKind, ParsedItem, ParseResult
from ..normalize import clean_text, first_sentence, item_key, shorten, squash
from .seed import ParseError

FEED_ROOTS = frozenset({"rss", "feed", "RDF", "channel"})
MAX_SHORT_FIELD = 1_000  # authors, names, e-mails, titles, links, ids
MAX_TEXT_FIELD = 200_000  # bodies
_SHORT_FIELDS = frozenset(
    {"author", "name", "email", "title", "link", "id", "guid", "creator", "uri"}
)
_TAGS = re.compile(r"<[^>]*>")
_BLOCK_ENDS = re.compile(r"(?i)<\s*(br\s*/?|/p|/div|/li|/h[1-6]|/blockquote|/tr)\s*>")


def parse_feed(data: bytes) -> ParseResult:
    """Items of an RSS or Atom document. Raises `ParseError` naming what is wrong."""
    root = _strict_tree(data)
    try:
        parsed = feedparser.parse(io.BytesIO(_cleaned(root)), sanitize_html=True)
    except Exception as exc:  # feedparser raises on some inputs instead of setting bozo
        raise ParseError(f"the feed parser failed: {type(exc).__name__}: {exc}") from None
    items, warnings = [], []
    for number, entry in enumerate(parsed.entries, start=1):
        item = _item(entry)
        if item is None:
            warnings.append(f"entry {number} has no title, link or id; skipped")
        else:
            items.append(item)
    return ParseResult(list({i.key: i for i in items}.values()), warnings)


def _strict_tree(data: bytes) -> Any:
    start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")):
        raise ParseError("not a feed: the server sent an HTML page")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )  # fmt: skip
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"malformed XML: {exc}") from None
    if root is None:
        raise ParseError("malformed XML: empty document")
    name = etree.QName(root).localname
    if name not in FEED_ROOTS:
        raise ParseError(f"not a feed: the document's root element is <{name}>")
    return root


def _cleaned(root: Any) -> bytes:
    """The tree without entity references or a DTD, with every field cut to size."""
    for entity in list(root.iter(etree.Entity)):
        parent = entity.getparent()
        if parent is not None:
            _remove_keeping_tail(parent, entity)
    for element in root.iter(etree.Element):
        limit = (
            MAX_SHORT_FIELD if etree.QName(element).localname in _SHORT_FIELDS else MAX_TEXT_FIELD
        )
        if element.text and len(element.text) > limit:
            element.text = element.text[:limit]
        for key, value in element.attrib.items():
            if len(value) > MAX_SHORT_FIELD:
                element.attrib[key] = value[:MAX_SHORT_FIELD]
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def _remove_keeping_tail(parent: Any, node: Any) -> None:
    tail = node.tail or ""
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)


def plain_text(markup: str) -> str:
    """Text of an HTML fragment on one line: tags dropped, entities decoded."""
    return clean_text(squash(html.unescape(_TAGS.sub(" ", markup))))


def paragraphs(markup: str) -> list[str]:
    """An HTML fragment's text as paragraphs (split at block ends and line breaks)."""
    text = html.unescape(_TAGS.sub(" ", _BLOCK_ENDS.sub("\n", markup)))
    return [line for line in (clean_text(squash(part)) for part in text.split("\n")) if line]


def http_link(value: object) -> str | None:
    """`value` if it is an absolute http(s) URL, else None (no `javascript:` links)."""
    if isinstance(value, str) and re.match(r"(?i)https?://[^\s\\]+$", value.strip()):
        return value.strip()
    return None


def _item(entry: Any) -> ParsedItem | None:
    link = http_link(entry.get("link"))
    guid = (entry.get("id") or "").strip()
    body_html = (entry.get("content") or [{}])[0].get("value") or entry.get("summary") or ""
    texts = paragraphs(body_html)
    title = plain_text(entry.get("title") or "")
    if not title and texts:
        title = shorten(first_sentence(texts[0]))
    if not (title or link or guid):
        return None  # the phantom entry of a feed cut off mid-item
    moment = _moment(entry)
    day = moment.date() if moment else None
    if guid:
        key = _hashed("guid", guid)  # the source's own identity wins: re-sends are no news
    elif link:
        key = _hashed("link", link)
    else:
        key = item_key(title, day)
    categories = tuple(
        term for tag in entry.get("tags") or [] if (term := plain_text(tag.get("term") or ""))
    )
    author = plain_text(entry.get("author") or "") or None
    return ParsedItem(
        key=key,
        title=title or (link or guid),
        blocks=tuple(Block("p", text) for text in texts),
        kind=ItemKind.ENTRY,
        day=day,
        date_source=DateSource.EXPLICIT if moment else DateSource.FIRST_SEEN,
        author=author,
        link=link,
        categories=categories,
        published_at=moment,
    )


def _moment(entry: Any) -> datetime | None:
    for field in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(field)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _hashed(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}\n{value}".encode()).hexdigest()[:24]
