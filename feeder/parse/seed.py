"""Turn a capture in the seed format into news items. Pure: bytes in, items out.

A document mixes listing entries (a date line, then one paragraph), articles (a
title, the same title followed by its date, credits, body, a navigation footer)
and undated text (teasers, or an article whose page gives no date).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import date

from feeder.dates import NUMERIC_DATE, after_dateline, own_date, parse_numeric_date
from feeder.model import Block, ItemKind, ParsedItem, ParseResult
from feeder.normalize import clean_text, ends_sentence, first_sentence, item_key, shorten, squash

_FOOTER = frozenset({"go back", "back to the section", "back to the all news"})
_HEADER = re.compile(r"(?P<title>.+) (?P<date>\d{2}\.\d{2}\.\d{4})")
_CREDIT = re.compile(
    r"^(exclusive for\b|author:|by [A-Z])|©|\bphoto (by|is provided|credit)|^photo:", re.I
)
_AUTHOR = re.compile(r"^author:\s*(?P<name>.+)$", re.I)
_READ_ALSO = re.compile(r"^read also\b:?\s*(?P<rest>.*)$", re.I)
_LIST_MARK = ("- ", "– ", "— ", "• ")
_BULLETS = ("•", "·", "▪", "►", "*")
_TITLE_MAX = 200
_SUBHEADING_MAX = 100
_CREDIT_LINE_MAX = 200
_CREDIT_SEARCH_BLOCKS = 3


class ParseError(ValueError):
    """The input is not a text capture at all (binary data)."""


@dataclass
class _Block:
    """Consecutive non-blank lines, with the number of the first one."""

    line: int
    lines: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    @property
    def single(self) -> str | None:
        return self.lines[0] if len(self.lines) == 1 else None


@dataclass
class _Article:
    title: str
    day: date | None
    line: int
    head: list[str] = field(default_factory=list)  # credit lines sharing the header's block
    body: list[_Block] = field(default_factory=list)


_BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_capture(data: bytes) -> tuple[str, list[str]]:
    """Decode capture bytes: by their byte order mark if they have one, else as UTF-8,
    else as Windows-1251 when that gives Cyrillic text (the usual legacy encoding of
    such captures), else as UTF-8 with the bad bytes replaced. Binary data raises
    `ParseError`."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode(data, codec, codec.upper().removesuffix("-SIG"))
    if b"\x00" in data[:8192]:
        raise ParseError("binary data (NUL bytes), not a text capture")
    try:
        return clean_text(data.decode("utf-8")), []
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        legacy = data.decode("cp1251", errors="replace")
        if _mostly_undecodable(text) and _mostly_cyrillic(legacy):
            return clean_text(legacy), ["not UTF-8; read as Windows-1251"]
        return clean_text(text), [f"invalid UTF-8 at byte {exc.start}, undecodable bytes replaced"]


def _decode(data: bytes, codec: str, name: str) -> tuple[str, list[str]]:
    try:
        return clean_text(data.decode(codec)), []
    except UnicodeDecodeError as exc:
        text = data.decode(codec, errors="replace")
        return clean_text(text), [f"invalid {name} at byte {exc.start}, undecodable bytes replaced"]


def _mostly_undecodable(text: str) -> bool:
    """True when most non-ASCII characters of UTF-8 decoded `text` are replacements:
    a legacy encoding, not UTF-8 with a damaged byte or a cut-off character."""
    wide = [c for c in text if ord(c) > 127]
    return wide.count("\ufffd") > len(wide) / 2


def _mostly_cyrillic(text: str) -> bool:
    """True when at least 4 of 5 non-ASCII characters are Cyrillic letters."""
    wide = [c for c in text if ord(c) > 127]
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in wide)
    return cyrillic >= 4 and cyrillic >= 0.8 * len(wide)


class SeedParser:
    """Parser for the seed capture format; see the module docstring."""

    def parse_bytes(self, data: bytes) -> ParseResult:
        text, warnings = decode_capture(data)
        result = self.parse_text(text)
        return ParseResult(result.items, warnings + result.warnings)

    def parse_text(self, text: str) -> ParseResult:
        blocks = _split_blocks(clean_text(text))
        if not blocks:
            return ParseResult([], ["empty document, nothing to ingest"])
        items, warnings = _Walker(blocks).run()
        unique: dict[str, ParsedItem] = {}
        for item in items:
            kept = unique.setdefault(item.key, item)
            if kept.content_hash != item.content_hash:
                warnings.append(
                    f"line {item.line}: {item.title!r} repeats the item of line {kept.line} "
                    "with different text; the first one is kept"
                )
        return ParseResult(list(unique.values()), warnings)


def _split_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = squash(raw)
        if not line:
            current = None
        elif current is None:
            current = _Block(number, [line])
            blocks.append(current)
        else:
            current.lines.append(line)
    return blocks


def _is_footer(block: _Block) -> bool:
    return all(line.lower() in _FOOTER for line in block.lines)


def _is_title_like(line: str) -> bool:
    return (
        len(line) <= _TITLE_MAX
        and " " in line
        and not ends_sentence(line)
        and not line.startswith(_LIST_MARK)
        and not _READ_ALSO.match(line)
    )


def _is_subheading(line: str) -> bool:
    return len(line) <= _SUBHEADING_MAX and _is_title_like(line)


def _is_link_list(block: _Block) -> bool:
    return all(line.startswith(_BULLETS) for line in block.lines)


def _is_credit_block(block: _Block) -> bool:
    return all(len(line) <= _CREDIT_LINE_MAX for line in block.lines) and any(
        _CREDIT.search(line) for line in block.lines
    )


class _Walker:
    """One pass over a document's blocks, sorting them into listing entries,
    articles and loose (undated) blocks, then turning those into items."""

    def __init__(self, blocks: list[_Block]) -> None:
        self.blocks = blocks
        self.items: list[ParsedItem] = []
        self.warnings: list[str] = []
        self.loose: list[_Block] = []
        self.structured = False
        # Line of the last footer or date line, so "does structure follow?" is O(1).
        self.last_structure_line = max(
            (b.line for b in blocks if _is_footer(b) or NUMERIC_DATE.fullmatch(b.lines[0])),
            default=0,
        )

    def run(self) -> tuple[list[ParsedItem], list[str]]:
        i = 0
        article: _Article | None = None
        while i < len(self.blocks):
            block = self.blocks[i]
            first = block.lines[0]
            if _is_footer(block):
                self.structured = True
                if article:
                    self._emit_article(article)
                    article = None
                else:
                    self._flush_loose(ends_with_footer=True)
            elif NUMERIC_DATE.fullmatch(first) and block.single:
                if article:
                    self._emit_article(article)
                    article = None
                self._flush_loose(ends_with_footer=False)
                i = self._listing_entry(i)
            elif header := self._article_header(block):
                if article:
                    self._emit_article(article)
                self._flush_loose(ends_with_footer=False)
                article = header
            elif article:
                article.body.append(block)
            else:
                self.loose.append(block)
            i += 1
        if article:
            self._emit_article(article)
        self._flush_loose(ends_with_footer=False)
        return self.items, self.warnings

    def _listing_entry(self, i: int) -> int:
        """Handle a date line at block `i`; return the index of the last block consumed."""
        line, number = self.blocks[i].lines[0], self.blocks[i].line
        day = parse_numeric_date(line)
        if day is None:
            self.warnings.append(f"line {number}: {line!r} is not a valid date, entry left undated")
            return i
        following = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
        if following is None or _is_footer(following) or NUMERIC_DATE.fullmatch(following.text):
            self.warnings.append(f"line {number}: date {line} has no text after it")
            return i
        self.structured = True
        self.items.append(_short_item(following, ItemKind.LISTING, day))
        return i + 1

    def _article_header(self, block: _Block) -> _Article | None:
        """A `Title DD.MM.YYYY` line right after a line holding just `Title`, either
        as the previous block or as the line above it in the same block."""
        lines = block.lines
        title_in_block = len(lines) > 1 and lines[1].startswith(lines[0] + " ")
        title = lines[0] if title_in_block else (self.loose[-1].single if self.loose else None)
        dated = lines[1] if title_in_block else lines[0]
        match = _HEADER.fullmatch(dated)
        if title is None or not match or match["title"] != title:
            return None
        day = parse_numeric_date(match["date"])
        if day is None:
            return None
        if not title_in_block:
            self.loose.pop()
        self.structured = True
        return _Article(title, day, block.line, head=lines[2:] if title_in_block else lines[1:])

    def _flush_loose(self, *, ends_with_footer: bool) -> None:
        """Turn the pending undated blocks into teasers and/or one undated article."""
        blocks, self.loose = self.loose, []
        if not blocks:
            return
        if ends_with_footer:
            start = next(
                (n for n, b in enumerate(blocks) if b.single and _is_title_like(b.single)), None
            )
            if start is None:
                self._emit_untitled_article(blocks)
                return
            for block in blocks[:start]:
                self.items.append(_short_item(block, ItemKind.TEASER, None))
            title_block = blocks[start]
            self._emit_article(
                _Article(title_block.lines[0], None, title_block.line, body=blocks[start + 1 :])
            )
        elif not self.structured and not self._more_structure_follows(blocks):
            self._emit_untitled_article(blocks)
        else:
            for block in blocks:
                self.items.append(_short_item(block, ItemKind.TEASER, None))

    def _more_structure_follows(self, blocks: list[_Block]) -> bool:
        # Loose text at the top of a page that has listings or articles further down
        # is a set of teasers, not one article.
        return self.last_structure_line > blocks[-1].line

    def _emit_untitled_article(self, blocks: list[_Block]) -> None:
        lines = [line for block in blocks for line in block.lines]
        identity = _identity(lines[0])
        title = shorten(first_sentence(after_dateline(lines[0])))
        self._emit_article(_Article(title, None, blocks[0].line, body=blocks), identity)

    def _emit_article(self, article: _Article, identity: str | None = None) -> None:
        credits = list(article.head)
        body: list[_Block] = []
        links_follow = first_link = False  # inside a "Read also:" list of links
        for n, block in enumerate(article.body):
            read_also = _READ_ALSO.match(block.lines[0])
            if read_also:
                # A bare "Read also:" heads the links after it: the next block whatever
                # it looks like, then every further block of bulleted lines.
                links_follow = not read_also["rest"] and len(block.lines) == 1
                first_link = links_follow
                continue
            if links_follow and (first_link or _is_link_list(block)):
                first_link = False
                continue
            links_follow = False
            if n < _CREDIT_SEARCH_BLOCKS and _is_credit_block(block):
                credits.extend(block.lines)
                continue
            body.append(block)
        if identity is not None:  # untitled: the title is the text's first sentence
            blocks = tuple(Block("p", line) for b in body for line in b.lines)
        else:
            blocks = tuple(
                Block("h" if _is_subheading(line) else "p", line) for b in body for line in b.lines
            )
        author = next((m["name"] for c in credits if (m := _AUTHOR.match(c))), None)
        full_text = " ".join([article.title, *(b.text for b in blocks)])
        self.items.append(
            _make_item(
                identity or article.title,
                article.title,
                blocks,
                ItemKind.ARTICLE,
                article.day,
                full_text,
                author,
                article.line,
            )
        )


def _short_item(block: _Block, kind: ItemKind, day: date | None) -> ParsedItem:
    """A listing entry or teaser: one paragraph whose first sentence is the title (past
    a wire dateline: "Moscow. July 16. INTERFAX.RU - ..." is not titled "Moscow.")."""
    text = block.text
    identity = _identity(text)
    title = shorten(first_sentence(after_dateline(text)))
    return _make_item(identity, title, (Block("p", text),), kind, day, text, None, block.line)


def _identity(text: str) -> str:
    """What an item's key is made of: its first sentence, or for one opening with a wire
    dateline, the dateline and the first sentence after it (every Interfax item's first
    "sentence" is "Moscow.")."""
    news = after_dateline(text)
    if len(news) == len(text):
        return first_sentence(text)
    return text[: len(text) - len(news)] + first_sentence(news)


def _make_item(
    identity: str,
    title: str,
    blocks: tuple[Block, ...],
    kind: ItemKind,
    explicit: date | None,
    text: str,
    author: str | None,
    line: int,
) -> ParsedItem:
    day, source, guessed = own_date(explicit, title, [b.text for b in blocks if b.kind == "p"])
    return ParsedItem(
        key=item_key(identity, explicit),
        title=title,
        blocks=blocks,
        kind=kind,
        day=day,
        date_source=source,
        author=author,
        line=line,
        year_guessed=guessed,
    )
