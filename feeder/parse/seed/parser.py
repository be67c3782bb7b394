"""The seed parser: one walk over a document's blocks recognising listing entries,
articles and undated text, in the order they appear."""

from __future__ import annotations

import re

from feeder.model import ItemKind, ParsedItem, ParseResult
from feeder.normalize import clean_text, first_sentence, shorten
from feeder.parse.dates import NUMERIC_DATE, after_dateline, parse_numeric_date
from feeder.parse.seed.blocks import LineBlock, is_footer, is_title_like, split_blocks
from feeder.parse.seed.decoding import decode_capture
from feeder.parse.seed.items import ArticleDraft, article_item, item_identity, short_item

_HEADER = re.compile(r"(?P<title>.+) (?P<date>\d{2}\.\d{2}\.\d{4})")


class SeedParser:
    """Parser for the seed capture format; see the `feeder.parse.seed` docstring."""

    def parse_bytes(self, data: bytes) -> ParseResult:
        text, warnings = decode_capture(data)
        result = self.parse_text(text)
        return ParseResult(result.items, warnings + result.warnings)

    def parse_text(self, text: str) -> ParseResult:
        blocks = split_blocks(clean_text(text))
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


class _Walker:
    """One pass over a document's blocks, sorting them into listing entries,
    articles and loose (undated) blocks, then turning those into items."""

    def __init__(self, blocks: list[LineBlock]) -> None:
        self.blocks = blocks
        self.items: list[ParsedItem] = []
        self.warnings: list[str] = []
        self.loose: list[LineBlock] = []
        self.structured = False
        # Line of the last footer or date line, so "does structure follow?" is O(1).
        self.last_structure_line = max(
            (b.line for b in blocks if is_footer(b) or NUMERIC_DATE.fullmatch(b.lines[0])),
            default=0,
        )

    def run(self) -> tuple[list[ParsedItem], list[str]]:
        i = 0
        article: ArticleDraft | None = None
        while i < len(self.blocks):
            block = self.blocks[i]
            first = block.lines[0]
            if is_footer(block):
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
        if following is None or is_footer(following) or NUMERIC_DATE.fullmatch(following.text):
            self.warnings.append(f"line {number}: date {line} has no text after it")
            return i
        self.structured = True
        self.items.append(short_item(following, ItemKind.LISTING, day))
        return i + 1

    def _article_header(self, block: LineBlock) -> ArticleDraft | None:
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
        return ArticleDraft(title, day, block.line, head=lines[2:] if title_in_block else lines[1:])

    def _flush_loose(self, *, ends_with_footer: bool) -> None:
        """Turn the pending undated blocks into teasers and/or one undated article."""
        blocks, self.loose = self.loose, []
        if not blocks:
            return
        if ends_with_footer:
            start = next(
                (n for n, b in enumerate(blocks) if b.single and is_title_like(b.single)), None
            )
            if start is None:
                self._emit_untitled_article(blocks)
                return
            for block in blocks[:start]:
                self.items.append(short_item(block, ItemKind.TEASER, None))
            title_block = blocks[start]
            self._emit_article(
                ArticleDraft(title_block.lines[0], None, title_block.line, body=blocks[start + 1 :])
            )
        elif not self.structured and not self._more_structure_follows(blocks):
            self._emit_untitled_article(blocks)
        else:
            for block in blocks:
                self.items.append(short_item(block, ItemKind.TEASER, None))

    def _more_structure_follows(self, blocks: list[LineBlock]) -> bool:
        # Loose text at the top of a page that has listings or articles further down
        # is a set of teasers, not one article.
        return self.last_structure_line > blocks[-1].line

    def _emit_untitled_article(self, blocks: list[LineBlock]) -> None:
        lines = [line for block in blocks for line in block.lines]
        identity = item_identity(lines[0])
        title = shorten(first_sentence(after_dateline(lines[0])))
        self._emit_article(ArticleDraft(title, None, blocks[0].line, body=blocks), identity)

    def _emit_article(self, article: ArticleDraft, identity: str | None = None) -> None:
        self.items.append(article_item(article, identity))
