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
import html.entities as html_entities
import io
import re
from datetime import UTC, datetime
from typing import Any

import feedparser
import lxml.html
from lxml import etree

from ..dates import own_date
from ..model import Block, ItemKind, ParsedItem, ParseResult
from ..normalize import clean_text, first_sentence, item_key, shorten, squash
from .seed import ParseError

FEED_ROOTS = frozenset({"rss", "feed", "RDF", "channel"})
MAX_SHORT_FIELD = 1_000  # authors, names, e-mails, titles, links, ids
MAX_TEXT_FIELD = 200_000  # bodies
_SHORT_FIELDS = frozenset(
    {"author", "name", "email", "title", "link", "id", "guid", "creator", "uri"}
)
_TAGS = re.compile(r"<[^>]*>")
_BLOCKS = frozenset(
    (  # noqa: SIM905 -- a tag list reads better as text
        "p div li ul ol h1 h2 h3 h4 h5 h6 blockquote pre tr table br hr section article"
    ).split()
)


def parse_feed(
    data: bytes, namespace: str, url: str = "", charset: str | None = None
) -> ParseResult:
    """Items of an RSS or Atom document fetched from `url`. Ids the feed gives are
    unique within `namespace` (the source). Raises `ParseError` naming what is wrong."""
    root = _strict_tree(data, charset)
    try:
        parsed = feedparser.parse(
            io.BytesIO(_cleaned(root)),
            sanitize_html=True,
            response_headers={"content-location": url} if url else None,
        )
    except Exception as exc:  # feedparser raises on some inputs instead of setting bozo
        raise ParseError(f"the feed parser failed: {type(exc).__name__}: {exc}") from None
    items, warnings = [], []
    for number, entry in enumerate(parsed.entries, start=1):
        item = _item(entry, namespace)
        if item is None:
            warnings.append(f"entry {number} has no title, link or id; skipped")
        else:
            items.append(item)
    return ParseResult(list({i.key: i for i in items}.values()), warnings)


def _strict_tree(data: bytes, charset: str | None) -> Any:
    start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")):
        raise ParseError("not a feed: the server sent an HTML page")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        encoding=charset,  # the HTTP charset wins over the document's declaration
    )
    try:
        root = etree.fromstring(_html_entities_as_references(data), parser)
    except (etree.XMLSyntaxError, LookupError) as exc:
        raise ParseError(f"malformed XML: {exc}") from None
    if root is None:
        raise ParseError("malformed XML: empty document")
    name = etree.QName(root).localname
    if name not in FEED_ROOTS:
        raise ParseError(f"not a feed: the document's root element is <{name}>")
    return root


_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


def _html_entities_as_references(data: bytes) -> bytes:
    """Old RSS uses HTML's named entities (`&eacute;`) without declaring them, which
    XML forbids: write them as character references. Other names are left alone."""

    def reference(match: re.Match[bytes]) -> bytes:
        name = match[1]
        char = html_entities.html5.get(name.decode("ascii") + ";")
        if name in _XML_ENTITIES or char is None:
            return match[0]
        return "".join(f"&#{ord(c)};" for c in char).encode("ascii")

    return _NAMED_ENTITY.sub(reference, data)


def _cleaned(root: Any) -> bytes:
    """The tree without entity references or a DTD, with every field cut to size."""
    for entity in list(root.iter(etree.Entity)):
        parent = entity.getparent()
        if parent is not None:
            # An HTML name (RSS 0.91 `&eacute;`) becomes its character; anything else,
            # external entities included, becomes nothing.
            _replace_with_text(parent, entity, html_entities.html5.get(entity.name + ";", ""))
    for element in root.iter(etree.Element):
        short = etree.QName(element).localname in _SHORT_FIELDS
        if short and len(text := "".join(element.itertext())) > MAX_SHORT_FIELD:
            for child in list(element):
                element.remove(child)
            element.text = text[:MAX_SHORT_FIELD]
        elif element.text and len(element.text) > MAX_TEXT_FIELD:
            element.text = element.text[:MAX_TEXT_FIELD]
        if element.tail and len(element.tail) > MAX_TEXT_FIELD:
            element.tail = element.tail[:MAX_TEXT_FIELD]
        for key, value in element.attrib.items():
            if len(value) > MAX_SHORT_FIELD:
                element.attrib[key] = value[:MAX_SHORT_FIELD]
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))


def _replace_with_text(parent: Any, node: Any, text: str) -> None:
    joined = text + (node.tail or "")
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + joined
    else:
        parent.text = (parent.text or "") + joined
    parent.remove(node)


def _fragment_text(markup: str, breaks: bool) -> str:
    """An HTML fragment's text: inline tags vanish without a trace (`Wo<b>rd</b>` stays
    one word); with `breaks`, block elements and `<br>` end lines."""
    if "<" not in markup and "&" not in markup:
        return markup
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (ValueError, etree.ParserError):
        return html.unescape(_TAGS.sub(" ", markup))
    for element in list(root.iter(etree.Element)):
        if element.tag in ("script", "style"):
            element.drop_tree()
        elif breaks and element.tag in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
            element.text = "\n" + (element.text or "")
    return str(root.text_content())


def plain_text(markup: str) -> str:
    """Text of an HTML fragment on one line: tags dropped, entities decoded."""
    return clean_text(squash(_fragment_text(markup, breaks=False)))


def paragraphs(markup: str) -> list[str]:
    """An HTML fragment's text as paragraphs (split at block ends and line breaks)."""
    text = _fragment_text(markup, breaks=True)
    return [line for line in (clean_text(squash(part)) for part in text.split("\n")) if line]


def http_link(value: object) -> str | None:
    """`value` if it is an absolute http(s) URL, else None (no `javascript:` links)."""
    if isinstance(value, str) and re.match(r"(?i)https?://[^\s\\]+$", value.strip()):
        return value.strip()
    return None


def _item(entry: Any, namespace: str) -> ParsedItem | None:
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
        # The feed's own id wins (re-sends are no news), within this source: two feeds
        # may both number their entries from 1.
        key = _hashed("guid", f"{namespace}\n{guid}")
    elif link:
        key = _hashed("link", link)
    else:
        key = item_key(title, day)
    categories = tuple(
        term for tag in entry.get("tags") or [] if (term := plain_text(tag.get("term") or ""))
    )
    author = plain_text(entry.get("author") or "") or None
    dated, date_source, guessed = own_date(day, title, texts)
    return ParsedItem(
        key=key,
        title=title or (link or guid),
        blocks=tuple(Block("p", text) for text in texts),
        kind=ItemKind.ENTRY,
        day=dated,
        date_source=date_source,
        author=author,
        link=link,
        categories=categories,
        published_at=moment,
        year_guessed=guessed,
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
