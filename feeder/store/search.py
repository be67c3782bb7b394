"""Full-text search: one query language, parsed here, run by each database's own
engine (SQLite FTS5, PostgreSQL text search), so a query means the same on both and a
malformed one is refused the same way before it reaches either.

The language is FTS5's core: words, "a phrase", prefix*, AND, OR, NOT (binary, as in
`a NOT b`) and parentheses; juxtaposed terms must all match. A hyphenated word
(`Tajik-Afghan`, `COVID-19`) is a phrase, as readers expect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy import (
    ColumnElement,
    Select,
    TextClause,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)

from feeder.errors import SearchQueryError
from feeder.normalize import clean_text
from feeder.store.schema import ITEMS

HINT = 'use words, "a phrase", prefix*, AND, OR, NOT; put other characters inside double quotes'
_TOKEN = re.compile(
    r'\s*(?:(?P<phrase>"[^"]*"?)|(?P<word>\w+(?:-\w+)*)|(?P<other>\S))(?P<star>\*?)'
)
_OPERATORS = ("AND", "OR", "NOT")
# Bounds that keep every query far from the recursion limits of this parser, of
# SQLAlchemy's compiler and of FTS5's own parser (a query nests once per term).
MAX_TERMS, MAX_DEPTH = 32, 8
_FTS = table("items_fts", column("rowid"))


@dataclass(frozen=True)
class Term:
    text: str  # the words, as typed
    prefix: bool  # the last word is a prefix (`peacekeep*`)


@dataclass(frozen=True)
class Operation:
    operator: str  # AND, OR, NOT
    left: Node
    right: Node


Node = Term | Operation


def parse_query(query: str) -> Node:
    """The query as a tree, or `SearchQueryError` naming what is wrong with it."""
    if clean_text(query) != query:
        raise SearchQueryError(f"cannot search for {query!r}: it contains control characters")
    tokens = _tokenize(query)
    if sum(isinstance(token, Term) for token in tokens) > MAX_TERMS:
        _fail(query, f"more than {MAX_TERMS} words or phrases")
    depth = 0
    for token in tokens:
        depth += (token == "(") - (token == ")")
        if depth > MAX_DEPTH:
            _fail(query, f"parentheses nested more than {MAX_DEPTH} deep")
    parser = _Parser(query, tokens)
    node = parser.alternatives()
    if parser.position != len(tokens):
        parser.fail(f"unexpected {tokens[parser.position]!r}")
    return node


def _tokenize(query: str) -> list[str | Term]:
    tokens: list[str | Term] = []
    for match in _TOKEN.finditer(query.rstrip()):
        phrase, word, other, star = match.group("phrase", "word", "other", "star")
        if other is not None:
            if other not in "()" or star:
                _fail(query, f"{other + star!r} is not allowed outside double quotes")
            tokens.append(other)
            continue
        if phrase is not None:
            if len(phrase) < 2 or not phrase.endswith('"'):
                _fail(query, "a double quote is not closed")
            if not phrase[1:-1].strip():
                _fail(query, "an empty phrase")
            tokens.append(Term(phrase[1:-1], bool(star)))
        elif word in _OPERATORS and not star:
            tokens.append(word)
        else:
            tokens.append(Term(word, bool(star)))
    return tokens


def _fail(query: str, reason: str) -> NoReturn:
    raise SearchQueryError(f"cannot search for {query!r}: {reason} ({HINT})")


class _Parser:
    """Recursive descent; precedence as in FTS5: NOT, then AND, then OR."""

    def __init__(self, query: str, tokens: list[str | Term]) -> None:
        self.query, self.tokens, self.position = query, tokens, 0

    def fail(self, reason: str) -> NoReturn:
        _fail(self.query, reason)

    def peek(self) -> str | Term | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def alternatives(self) -> Node:
        node = self.conjunction()
        while self.peek() == "OR":
            self.position += 1
            node = Operation("OR", node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.exclusion()
        while True:
            token = self.peek()
            if token == "AND":
                self.position += 1
            elif not (isinstance(token, Term) or token == "("):
                return node
            node = Operation("AND", node, self.exclusion())

    def exclusion(self) -> Node:
        node = self.operand()
        while self.peek() == "NOT":
            self.position += 1
            node = Operation("NOT", node, self.operand())
        return node

    def operand(self) -> Node:
        token = self.peek()
        self.position += 1
        if isinstance(token, Term):
            return token
        if token == "(":
            node = self.alternatives()
            if self.peek() != ")":
                self.fail("a parenthesis is not closed")
            self.position += 1
            return node
        if token is None:
            self.fail("the query ends too soon")
        self.fail(
            f"{token} needs words on both sides" if token in _OPERATORS else f"unexpected {token!r}"
        )


def fts5_match(node: Node) -> str:
    """The tree as an FTS5 MATCH expression, every term quoted (so no word is an operator)."""
    if isinstance(node, Term):
        return f'"{node.text}"' + ("*" if node.prefix else "")
    return f"({fts5_match(node.left)}) {node.operator} ({fts5_match(node.right)})"


def postgresql_tsquery(node: Node) -> ColumnElement[object]:
    """The tree as a tsquery, each phrase tokenised by PostgreSQL's own parser."""
    if isinstance(node, Term):
        if not node.prefix:
            return func.phraseto_tsquery("simple", node.text)
        words = [w for w in re.split(r"\W+", node.text) if w]
        if not words:
            return func.phraseto_tsquery("simple", "")
        lexemes = " <-> ".join(f"'{w}'" for w in words)
        return func.to_tsquery("simple", lexemes + ":*")
    left, right = postgresql_tsquery(node.left), postgresql_tsquery(node.right)
    if node.operator == "AND":
        return func.tsquery_and(left, right)
    if node.operator == "OR":
        return func.tsquery_or(left, right)
    return func.tsquery_and(left, func.tsquery_not(right))


def search_statement(dialect: str, query: str, limit: int) -> Select[tuple[object, ...]]:
    """Stories matching `query`, newest first, for the database `dialect`: each story
    once, as its lead (the feed entry), when any of its reports matches."""
    newest_first = (ITEMS.c.published.desc(), ITEMS.c.key)
    leads = ITEMS.c.story_id.is_(None)
    matching = search_condition(dialect, query)
    return select(ITEMS).where(leads, matching).order_by(*newest_first).limit(limit)


def search_condition(dialect: str, query: str) -> ColumnElement[bool] | TextClause:
    """True for the rows of `items` that match `query` or lead a story one of whose
    reports does (`SearchQueryError` for a query that cannot be parsed)."""
    node = parse_query(query)
    if dialect == "postgresql":
        tsquery = postgresql_tsquery(node)
        matches = literal_column("items.search").op("@@")(tsquery)
        other = ITEMS.alias("other")
        reported = ITEMS.c.id.in_(
            select(other.c.story_id).where(
                other.c.story_id.is_not(None), literal_column("other.search").op("@@")(tsquery)
            )
        )
        return or_(matches, reported)
    # Used with the newest-first index of leads, SQLite keeps those among the matches
    # (or whose story's reports are), stopping at the limit: a common word matches tens
    # of thousands of items, and joining them all to sort them afterwards took up to
    # 80 ms at 100,000 items (now under 15 ms, the worst case being a word that matches
    # almost nothing). The unary `+` keeps SQLite from looking the matches up by rowid,
    # which would bring the sort back.
    return text(
        "(+items.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH :query)"
        " OR +items.id IN (SELECT other.story_id FROM items AS other WHERE other.id IN"
        " (SELECT rowid FROM items_fts WHERE items_fts MATCH :query)))"
    ).bindparams(query=fts5_match(node))
