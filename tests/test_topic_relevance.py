"""The relevance judgement: where a mention stands decides what it adds, repeated and
spread mentions add more, and an item is in a topic only from its threshold up."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeder.config import load_settings
from feeder.model import Block
from feeder.topics import Field, Topic, TopicMatcher
from feeder.topics.passages import passages

TAJIK = Topic("tajikistan", "Tajikistan", ("Tajik*", "Dushanbe"))
BOILERPLATE = "The CSTO includes Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia and Tajikistan."
FILLER = "The Secretary General answered questions about the work of the Organization."


def verdict(topic: Topic, title: str, *paragraphs: str, key: str = ""):
    blocks = tuple(
        Block("h", text[2:]) if text.startswith("# ") else Block("p", text) for text in paragraphs
    )
    (found,) = TopicMatcher([topic]).judge(key, title, blocks)
    return found


def test_a_listing_entry_is_split_into_its_title_sentence_and_its_lead() -> None:
    text = "In Dushanbe, the council met. Delegates from Tajikistan attended."
    found = passages(text[:28] + "…", (Block("p", text),))
    assert [(p.field, p.text) for p in found] == [
        (Field.TITLE, "In Dushanbe, the council met."),
        (Field.LEAD, " Delegates from Tajikistan attended."),
    ]


def test_questions_and_asked_about_clauses_are_their_own_passages() -> None:
    blocks = (
        Block("p", "The lead."),
        Block("p", "- What about the Tajik border?"),
        Block("p", "Asked about the Tajik border, he said it was calm."),
    )
    fields = [(p.field, p.paragraph) for p in passages("Interview", blocks)]
    assert fields == [
        (Field.TITLE, 0), (Field.LEAD, 1), (Field.QUESTION, 2), (Field.QUESTION, 3),
        (Field.BODY, 3),
    ]  # fmt: skip


def test_a_title_mention_makes_an_item_relevant() -> None:
    found = verdict(TAJIK, "Tajikistan hosts the border trainings", FILLER)
    assert found.relevant and found.score == 3


def test_one_mention_in_the_tenth_paragraph_is_not_enough() -> None:
    paragraphs = [FILLER] * 9 + ["He also visited Dushanbe last year."]
    found = verdict(TAJIK, "Interview with the Secretary General", *paragraphs)
    assert not found.relevant and found.score == 1


def test_a_long_interview_that_discusses_a_topic_in_one_answer_is_relevant() -> None:
    paragraphs = [FILLER] * 8 + [
        "- How is the situation on the Tajik-Afghan border?",
        "- The Tajik border guards have reinforced the outposts.",
        "Dushanbe has asked its allies for equipment.",
    ] + [FILLER] * 8  # fmt: skip
    found = verdict(TAJIK, "Interview with the Secretary General", *paragraphs)
    assert found.relevant and found.score == 4


def test_a_long_interview_that_names_it_only_in_boilerplate_is_not() -> None:
    paragraphs = [BOILERPLATE, *([FILLER] * 12), BOILERPLATE]
    found = verdict(TAJIK, "Interview with the Secretary General", *paragraphs)
    assert not found.relevant and found.score == 0
    assert [m.reason for m in found.mentions] == ["one of an enumeration of 6"] * 2


def test_repeated_mentions_in_one_paragraph_add_less_than_spread_ones() -> None:
    once_each = verdict(TAJIK, "Report", FILLER, "Tajik units.", "Tajik units.", "Tajik units.")
    all_in_one = verdict(TAJIK, "Report", FILLER, "Tajik units, Tajik guards, Tajik pilots.")
    assert once_each.score == 3 and all_in_one.score == 2


def test_a_heading_naming_the_topic_weighs_like_a_lead() -> None:
    found = verdict(TAJIK, "Press conference", FILLER, "# About the Republic of Tajikistan", FILLER)
    assert found.score == 2 and not found.relevant


def test_ignore_phrases_neutralise_matches_without_vetoing_the_item() -> None:
    topic = Topic("ex", "Exercises", ("exercise*",), ignore=("exercise* * right*",))
    found = verdict(topic, "Citizens exercise their right to vote", "Then the exercise began.")
    assert [m.weight for m in found.mentions] == [0.0, 1.0]
    assert found.mentions[0].reason == "ignore “exercise* * right*”"
    assert found.score == 2  # the lead still counts: ignore is not exclude


def test_exclude_keeps_the_item_out_whatever_its_score() -> None:
    topic = Topic("drugs", "Drugs", ("drug*",), exclude=("drug store",))
    found = verdict(topic, "Drug trafficking routes cut", "A drug store was robbed.")
    assert found.score >= 3 and not found.relevant and found.excluded_by == "drug store"


def test_min_score_is_the_topics_threshold() -> None:
    strict = Topic("tajikistan", "Tajikistan", ("Tajik*",), min_score=5)
    assert not verdict(strict, "Tajik border reinforced", FILLER).relevant
    lenient = Topic("tajikistan", "Tajikistan", ("Tajik*",), min_score=1)
    assert verdict(lenient, "Report", *([FILLER] * 5), "Tajik units.").relevant


def test_listed_keys_override_the_judgement_both_ways() -> None:
    key = "0123456789abcdef01234567"
    inside = Topic("t", "T", ("Tajik*",), include_items=(key,))
    outside = Topic("t", "T", ("Tajik*",), exclude_items=(key,))
    assert verdict(inside, "Nothing here", FILLER, key=key).relevant
    assert verdict(inside, "Nothing here", FILLER).relevant is False
    assert not verdict(outside, "Tajikistan hosts", FILLER, key=key).relevant
    assert verdict(outside, "Tajikistan hosts", FILLER, key=key).why == "listed in exclude_items"


def test_every_mention_records_its_field_paragraph_offset_and_keyword() -> None:
    found = verdict(TAJIK, "Report", "Lead.", "The border with Tajikistan is calm.")
    (mention,) = found.mentions
    assert (mention.field, mention.paragraph, mention.offset) == (Field.BODY, 2, 16)
    assert (mention.phrase, mention.keyword, mention.weight) == ("Tajikistan", "Tajik*", 1.0)


def test_the_why_line_names_the_score_threshold_and_places() -> None:
    found = verdict(TAJIK, "Tajikistan hosts the trainings", "The lead names Dushanbe.")
    assert found.why == "score 5 ≥ 3: title “Tajikistan”, lead “Dushanbe”"


@pytest.mark.parametrize(
    ("slug", "text"),
    [
        ("exercises", "Citizens exercise their right to vote on Sunday."),
        ("exercises", "The course offers advanced training for accountants."),
        ("migration", "The ministry completed the migration of its database to a new server."),
        ("biological-security", "A computer virus infected the ministry's servers."),
        ("armenia", "Guests were treated to Armenian cuisine after the ceremony."),
        ("russia", "The contest closes at 18:00 Moscow time."),
        ("belarus", "The history of the Minsk agreements was recalled."),
        ("nato", "The plant makes NATO-standard ammunition."),
    ],
)
def test_shipped_topics_ignore_other_senses_of_their_words(
    slug: str, text: str, tmp_path: Path
) -> None:
    matcher = TopicMatcher(load_settings(cwd=tmp_path).topic_list())
    assert slug not in matcher.match(text)


def test_shipped_topics_drop_the_csto_member_list_from_the_tajikistan_feed(tmp_path) -> None:
    matcher = TopicMatcher(load_settings(cwd=tmp_path).topic_list())
    interview = [FILLER, BOILERPLATE, *([FILLER] * 10)]
    tagged = matcher.match_item(
        "Interview with the Secretary General", [Block("p", t) for t in interview]
    )
    assert tagged == ()
