"""The full-text query language: parsed once, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from feeder.errors import SearchQueryError
from feeder.store.search import Operation, Term, fts5_match, parse_query


def test_juxtaposed_words_must_all_match() -> None:
    assert parse_query("minsk summit") == Operation(
        "AND", Term("minsk", False), Term("summit", False)
    )


def test_precedence_is_not_then_and_then_or() -> None:
    tree = parse_query("a OR b c NOT d")
    assert tree == Operation(
        "OR",
        Term("a", False),
        Operation("AND", Term("b", False), Operation("NOT", Term("c", False), Term("d", False))),
    )


def test_parentheses_group() -> None:
    assert parse_query("(a OR b) c") == Operation(
        "AND", Operation("OR", Term("a", False), Term("b", False)), Term("c", False)
    )


def test_hyphenated_words_and_quoted_phrases_are_phrases_and_may_be_prefixes() -> None:
    assert parse_query("command-st*") == Term("command-st", True)
    assert parse_query('"border guards"') == Term("border guards", False)
    assert parse_query("peacekeep*") == Term("peacekeep", True)


def test_lowercase_operator_words_are_words() -> None:
    assert parse_query("and") == Term("and", False)
    assert fts5_match(parse_query("and or")) == '("and") AND ("or")'


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ('"unterminated', "double quote is not closed"),
        ("AND", "AND needs words on both sides"),
        ("a OR", "ends too soon"),
        ("((", "ends too soon"),
        ("(a", "parenthesis is not closed"),
        ("a)", "unexpected ')'"),
        ("nosuchcolumn:word", "':' is not allowed outside double quotes"),
        ("*", "'*' is not allowed"),
        ('""', "empty phrase"),
        ("a\x01b", "control characters"),
    ],
)
def test_malformed_queries_say_what_is_wrong(query: str, reason: str) -> None:
    with pytest.raises(SearchQueryError, match="cannot search for") as caught:
        parse_query(query)
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("query", "reason"),
    [(" ".join(["a"] * 33), "more than 32 words"), ("(" * 9 + "a" + ")" * 9, "nested more")],
)
def test_queries_beyond_the_bounds_are_refused_not_crashed_on(query: str, reason: str) -> None:
    with pytest.raises(SearchQueryError, match=reason):
        parse_query(query)
