"""Parse news listing pages (and followed article pages) with CSS selectors.

lxml quietly returns part of a tree for a document nested too deeply or with a
huge text node; the only sign is in the parser's error log, so that is checked
and such a page is an error rather than a page with fewer items.
"""

from __future__ import annotations

import codecs
import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html

from feeder.links import normalize_link
from feeder.model import Block, ItemKind, ListingSelectors, ParsedItem, ParseResult
from feeder.normalize import clean_text, first_sentence, item_key, shorten, squash
from feeder.parse.dates import first_text_date, own_date, parse_numeric_date
from feeder.parse.seed import ParseError

_TRUNCATION_SIGNS = ("ERR_RESOURCE_LIMIT", "ERR_INTERNAL_ERROR")
_TRUNCATION_WORDS = ("excessive depth", "huge input", "huge text", "memory")
_BLOCK_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre")


def charset_of(content_type: str) -> str | None:
    """The charset an HTTP Content-Type names, if Python knows it."""
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    if not match:
        return None
    try:
        return codecs.lookup(match[1]).name
    except LookupError:
        return None


def as_utf8(data: bytes, charset: str | None) -> tuple[bytes, str | None]:
    """The bytes re-encoded as UTF-8 when the charset is known, with the encoding to
    tell the parser; HTML with no charset anywhere that decodes as UTF-8 is UTF-8."""
    if charset is None:
        if b"charset" not in data[:4096].lower():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return data, None
            return data, "utf-8"
        return data, None
    return data.decode(charset, errors="replace").encode("utf-8"), "utf-8"


def _tree(data: bytes, charset: str | None = None) -> Any:
    data, encoding = as_utf8(data, charset)
    parser = lxml.html.HTMLParser(
        huge_tree=False, no_network=True, remove_comments=True, encoding=encoding
    )
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ParseError(f"unreadable HTML: {exc}") from None
    for entry in parser.error_log:
        message = entry.message.lower()
        if entry.type_name in _TRUNCATION_SIGNS or any(
            word in message for word in _TRUNCATION_WORDS
        ):
            raise ParseError(
                f"the page is too large or too deeply nested to read whole: {entry.message}"
            )
    return root


def text_of(element: Any) -> str:
    return clean_text(squash(element.text_content()))


def parse_listing(
    data: bytes, page_url: str, source: ListingSelectors, charset: str | None = None
) -> ParseResult:
    """One item per block matching `source.item`. Raises `ParseError` if none match."""
    root = _tree(data, charset)
    blocks = root.cssselect(source.item)
    if not blocks:
        raise ParseError(f"the item selector {source.item!r} matched nothing on the page")
    items, warnings = [], []
    for number, block in enumerate(blocks, start=1):
        title = _first_text(block, source.title)
        if not title:
            warnings.append(f"item {number}: the title selector {source.title!r} found no text")
            continue
        summary = _first_text(block, source.summary) if source.summary else ""
        day = _date(_first_text(block, source.date), source.date_format) if source.date else None
        link, dropped = _link(block, source.link, page_url) if source.link else (None, None)
        if dropped:
            warnings.append(f"item {number}: dropped its link {dropped!r}: not a valid http(s) URL")
        dated, date_source, guessed = own_date(day, title, [summary] if summary else [])
        items.append(
            ParsedItem(
                key=item_key(title, day),
                title=shorten(first_sentence(title)) if len(title) > 120 else title,
                blocks=(Block("p", summary),) if summary else (),
                kind=ItemKind.LISTING,
                day=dated,
                date_source=date_source,
                link=link,
                year_guessed=guessed,
            )
        )
    if not items:
        raise ParseError(f"no item on the page had a title (selector {source.title!r})")
    return ParseResult(list({i.key: i for i in items}.values()), warnings)


def page_paragraphs(data: bytes, selector: str, charset: str | None = None) -> list[str]:
    """The text of a followed article page: the paragraphs inside the element the
    selector finds first, trying the parts of a list like `article, main, body` in
    their order (or its whole text when it has no paragraph elements)."""
    root = _tree(data, charset)
    container = None
    for part in selector.split(","):
        found = root.cssselect(part.strip())
        if found:
            container = found[0]
            break
    if container is None:
        return []
    texts = [text_of(e) for e in container.iter(*_BLOCK_TAGS)]
    return [t for t in texts if t] or [t for t in [text_of(container)] if t]


def _first_text(block: Any, selector: str | None) -> str:
    if not selector:
        return ""
    found = block.cssselect(selector)
    return text_of(found[0]) if found else ""


def _link(block: Any, selector: str, page_url: str) -> tuple[str | None, str | None]:
    """The item's link made absolute and valid, and what was dropped when it cannot be."""
    found = block.cssselect(selector)
    if not found:
        return None, None
    href = (found[0].get("href") or text_of(found[0])).strip()
    if not href:
        return None, None
    try:
        # Joined as text: urljoin leaves `詹` and spaces alone for normalize_link.
        absolute = urljoin(page_url, href)
    except ValueError:  # urljoin refuses some hosts (`http://[x/`)
        return None, href[:100]
    link = normalize_link(absolute)
    return link, None if link else absolute[:100]


def _date(text: str, date_format: str | None) -> date | None:
    if not text:
        return None
    if date_format:
        try:
            return datetime.strptime(text.strip(), date_format).date()
        except ValueError:
            return None
    return parse_numeric_date(text.strip()) or first_text_date(text)
