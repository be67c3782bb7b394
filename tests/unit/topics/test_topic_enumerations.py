"""Enumerations in a sentence, found in one pass over its separators, and the word
index that decides which keywords are looked for in an item."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeder.topics.enumerations import enumerations
from feeder.topics.rules import WordIndex, keyword_pattern


def lists(sentence: str) -> list[tuple[str, int]]:
    return [(sentence[a:b], n) for a, b, n in enumerations(sentence)]


@pytest.mark.parametrize(
    ("sentence", "items", "first"),
    [
        ("The CSTO includes Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia, and Tajikistan.",
         6, "The CSTO includes Armenia"),
        ("countering threats as terrorism, extremism, drug trafficking, illegal migration "
         "and others.", 5, "countering threats as terrorism"),
        ("a video bridge Moscow - Minsk - Astana - Bishkek", 4, "video bridge Moscow"),
        ("Members: Armenia, Belarus, Kazakhstan, Kyrgyzstan.", 4, "Armenia"),
    ],
)  # fmt: skip
def test_lists_and_their_items_are_found(sentence: str, items: int, first: str) -> None:
    """A list's first item is the end of the clause before its first comma (up to six
    words, three without a conjunction); its last item runs to the stop."""
    ((text, count),) = lists(sentence)
    assert count == items and text.startswith(first) and sentence.rstrip(".").endswith(text)


@pytest.mark.parametrize(
    "sentence",
    [
        "Kyrgyzstan and Tajikistan agreed on the border.",  # two are no list
        "On 5 May, 2024, in Minsk, the council met.",  # clauses, not a list
        "In Kazakhstan, a joint training began; the troops marched.",
        "The Deputy Prime Minister - Minister of Foreign Affairs - spoke.",  # two dashes, 2 items
    ],
)
def test_clauses_and_pairs_are_not_lists(sentence: str) -> None:
    assert enumerations(sentence) == []


def test_a_list_never_runs_past_a_word_ending_its_clause() -> None:
    sentence = "It trains Armenia, Belarus and Russia. Then Kazakhstan, Kyrgyzstan and Tajikistan."
    assert [n for _, n in lists(sentence)] == [3, 3]
    assert all("." not in text for text, _ in lists(sentence))


def test_a_long_sentence_of_commas_is_one_pass() -> None:
    sentence = ", ".join(f"the long clause number {n} of this sentence" for n in range(400))
    assert enumerations(sentence + " and the end.") == []  # items too long to list
    short = ", ".join(f"item {n}" for n in range(400)) + " and the last."
    ((start, end, items),) = enumerations(short)
    assert (start, items) == (0, 401) and short[end - 4 : end] == "last"


KEYWORDS = ["Kazakh*", "anti-terror*", "Russia's", "North Atlantic Alliance", "Osh", "UN mandate",
            "peace-keep*", "narco-*", "COVID*", "exercise* * right*"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["kazakhstan", "the", "anti-terrorist", "russia's", "north", "atlantic", "alliance",
             "osh", "un", "mandate", "peace-keeping", "narco-trade", "covid-19", "exercise",
             "their", "rights", ",", "-", "“", "x"]
        ),
        max_size=12,
    )
)  # fmt: skip
def test_the_word_index_never_misses_a_keyword_that_matches(words: list[str]) -> None:
    text = " ".join(words)
    longest = {k: max((w.rstrip("*") for w in k.casefold().split()), key=len) for k in KEYWORDS}
    index = WordIndex(longest.values())
    present = index.words_in(text)
    for keyword in KEYWORDS:
        if re.search(keyword_pattern(keyword.casefold()), text):
            assert longest[keyword] in present, (keyword, text)
