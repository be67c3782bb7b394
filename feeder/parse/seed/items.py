"""Items from the parts the parser recognised: an article keeps its body, leaving out
credits and "Read also" links and taking the author from the credits; a listing entry
or teaser is one paragraph. Each item gets its key and its own date."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from feeder.model import Block, ItemKind, ParsedItem
from feeder.normalize import first_sentence, item_key, shorten
from feeder.parse.dates import after_dateline, own_date
from feeder.parse.seed.blocks import READ_ALSO, LineBlock, is_title_like

_CREDIT = re.compile(
    r"^(exclusive for\b|author:|by [A-Z])|©|\bphoto (by|is provided|credit)|^photo:", re.I
)
_AUTHOR = re.compile(r"^author:\s*(?P<name>.+)$", re.I)
_BULLETS = ("•", "·", "▪", "►", "*")
_SUBHEADING_MAX = 100
_CREDIT_LINE_MAX = 200
_CREDIT_SEARCH_BLOCKS = 3


@dataclass
class ArticleDraft:
    """An article as recognised: its title, date and first line, then its blocks."""

    title: str
    day: date | None
    line: int
    head: list[str] = field(default_factory=list)  # credit lines sharing the header's block
    body: list[LineBlock] = field(default_factory=list)


def article_item(article: ArticleDraft, identity: str | None = None) -> ParsedItem:
    """The article's item. `identity` is given for an untitled article, whose title is
    the first sentence of its text: its body then has no subheadings."""
    credits = list(article.head)
    body: list[LineBlock] = []
    links_follow = first_link = False  # inside a "Read also:" list of links
    for n, block in enumerate(article.body):
        read_also = READ_ALSO.match(block.lines[0])
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
    return _make_item(
        identity or article.title,
        article.title,
        blocks,
        ItemKind.ARTICLE,
        article.day,
        full_text,
        author,
        article.line,
    )


def short_item(block: LineBlock, kind: ItemKind, day: date | None) -> ParsedItem:
    """A listing entry or teaser: one paragraph whose first sentence is the title (past
    a wire dateline: "Moscow. July 16. INTERFAX.RU - ..." is not titled "Moscow.")."""
    text = block.text
    identity = item_identity(text)
    title = shorten(first_sentence(after_dateline(text)))
    return _make_item(identity, title, (Block("p", text),), kind, day, text, None, block.line)


def item_identity(text: str) -> str:
    """What an item's key is made of: its first sentence, or for one opening with a wire
    dateline, the dateline and the first sentence after it (every Interfax item's first
    "sentence" is "Moscow.")."""
    news = after_dateline(text)
    if len(news) == len(text):
        return first_sentence(text)
    return text[: len(text) - len(news)] + first_sentence(news)


def _is_subheading(line: str) -> bool:
    return len(line) <= _SUBHEADING_MAX and is_title_like(line)


def _is_link_list(block: LineBlock) -> bool:
    return all(line.startswith(_BULLETS) for line in block.lines)


def _is_credit_block(block: LineBlock) -> bool:
    return all(len(line) <= _CREDIT_LINE_MAX for line in block.lines) and any(
        _CREDIT.search(line) for line in block.lines
    )


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
