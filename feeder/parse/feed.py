"""Parse RSS 0.9x/1.0/2.0 and Atom feeds into items, safely.

The bytes are decoded with Python's codecs (`charset.decode_xml`), then go through a
strict lxml parse that resolves no entities and touches no network (no XXE, no
entity bombs) and rejects malformed or truncated XML and documents that are not
feeds (an HTML error page, say). Over-long fields
are cut before feedparser sees them (its author regex is quadratic), then
feedparser reads the cleaned bytes and every exception it raises is caught.
"""

from __future__ import annotations

import calendar
import hashlib
import html.entities as html_entities
import io
import re
from datetime import UTC, datetime
from typing import Any

import feedparser
from lxml import etree

from feeder.links import normalize_link
from feeder.model import Block, ItemKind, ParsedItem, ParseResult
from feeder.normalize import first_sentence, item_key, shorten
from feeder.parse.charset import decode_xml
from feeder.parse.dates import own_date
from feeder.parse.seed import ParseError
from feeder.parse.text import field_line, field_paragraphs

FEED_ROOTS = frozenset({"rss", "feed", "RDF", "channel"})
MAX_SHORT_FIELD = 1_000  # authors, names, e-mails, titles, links, ids
MAX_TEXT_FIELD = 200_000  # bodies
_SHORT_FIELDS = frozenset(
    {"author", "name", "email", "title", "link", "id", "guid", "creator", "uri"}
)


def parse_feed(
    data: bytes, namespace: str, url: str = "", charset: str | None = None
) -> ParseResult:
    """Items of an RSS or Atom document fetched from `url`. Ids the feed gives are
    unique within `namespace` (the source); `charset` is the one HTTP gave. Raises
    `ParseError` naming what is wrong, and nothing else."""
    try:
        root = _strict_tree(decode_xml(data, charset))
        parsed = feedparser.parse(
            io.BytesIO(_cleaned(root)),
            sanitize_html=True,
            response_headers={"content-location": url} if url else None,
        )
    except ParseError:
        raise
    except Exception as exc:  # feedparser raises on some inputs instead of setting bozo
        raise ParseError(f"the feed parser failed: {type(exc).__name__}: {exc}") from None
    declared = str(parsed.get("version") or "").startswith("atom")
    items, warnings = [], []
    for number, entry in enumerate(parsed.entries, start=1):
        item, dropped = _item(entry, namespace, declared)
        if dropped:
            warnings.append(f"entry {number}: dropped its link {_shown(dropped)}: {_WHY_DROPPED}")
        if item is None:
            warnings.append(f"entry {number} has no title, link or id; skipped")
        else:
            items.append(item)
    return ParseResult(list({i.key: i for i in items}.values()), warnings)


_WHY_DROPPED = "not an http(s) URL that can be made valid"


def _shown(link: str) -> str:
    return repr(link if len(link) <= 100 else link[:99] + "…")


def _strict_tree(text: str) -> Any:
    start = text[:1024].lstrip(" \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html")):
        raise ParseError("not a feed: the server sent an HTML page")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        encoding="utf-8",  # `decode_xml` chose the encoding and dropped the declaration
    )
    try:
        root = etree.fromstring(_html_entities_as_references(text.encode("utf-8")), parser)
    except etree.XMLSyntaxError as exc:
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


def _keyed_link(value: object) -> str | None:
    """The link an entry without a guid is keyed by, as it is written (stripped): the
    rule keys were made with before links were normalised, so an item stored then keeps
    its key and is not stored again; None when that rule took no link (then the title
    and day key it, as before)."""
    if isinstance(value, str) and _KEYED_LINK.match(value.strip()):
        return value.strip()
    return None


_KEYED_LINK = re.compile(r"(?i)https?://[^\s\\]+$")


def _item(entry: Any, namespace: str, declared: bool) -> tuple[ParsedItem | None, str | None]:
    """The entry as an item (None for a phantom), and the link it dropped, if any.
    `declared`: the format types its text fields (Atom); RSS leaves them to a guess."""
    given = entry.get("link")
    link = normalize_link(given)
    dropped = given if isinstance(given, str) and given.strip() and link is None else None
    guid = (entry.get("id") or "").strip()
    body = (entry.get("content") or [{}])[0]
    if not body.get("value"):
        body = entry.get("summary_detail") or {"value": entry.get("summary") or ""}
    texts = field_paragraphs(body.get("value") or "", body.get("type"), declared)
    title_detail = entry.get("title_detail") or {}
    title = field_line(entry.get("title") or "", title_detail.get("type"), declared)
    if not title and texts:
        title = shorten(first_sentence(texts[0]))
    if not (title or link or guid):
        return None, dropped  # the phantom entry of a feed cut off mid-item
    moment = _moment(entry)
    day = moment.date() if moment else None
    if guid:
        # The feed's own id wins (re-sends are no news), within this source: two feeds
        # may both number their entries from 1.
        key = _hashed("guid", f"{namespace}\n{guid}")
    elif keyed := _keyed_link(given):
        key = _hashed("link", keyed)
    else:
        key = item_key(title, day)
    categories = tuple(
        term
        for tag in entry.get("tags") or []
        if (term := field_line(tag.get("term") or "", "text/plain", declared))
    )
    author = field_line(entry.get("author") or "", "text/plain", declared) or None
    dated, date_source, guessed = own_date(day, title, texts)
    item = ParsedItem(
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
    return item, dropped


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
