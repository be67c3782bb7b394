"""The relevance judgement: where a mention stands decides what it adds, repeated and
spread mentions add more, and an item is in a topic only from its threshold up."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeder.config import load_settings
from feeder.model import Block
from feeder.topics import Field, Topic, TopicMatcher
from feeder.topics.passages import split_passages

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
    found = split_passages(text[:28] + "…", (Block("p", text),))
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
    fields = [(p.field, p.paragraph) for p in split_passages("Interview", blocks)]
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
    (found,) = [v for v in matcher.judge("", text, [Block("p", text)]) if v.slug == slug]
    assert not found.relevant and found.mentions  # the word is there, and
    assert all(m.reason.startswith("ignore “") for m in found.mentions)  # it is ignored


def test_shipped_topics_drop_the_csto_member_list_from_the_tajikistan_feed(tmp_path) -> None:
    matcher = TopicMatcher(load_settings(cwd=tmp_path).topic_list())
    interview = [FILLER, BOILERPLATE, *([FILLER] * 10)]
    blocks = [Block("p", text) for text in interview]
    assert matcher.tags("", "Interview with the Secretary General", blocks) == {}


def test_a_key_listed_in_a_topic_keeps_what_the_rules_alone_would_say() -> None:
    key = "0123456789abcdef01234567"
    outside = Topic("t", "T", ("Tajik*",), exclude_items=(key,))
    found = verdict(outside, "Tajikistan hosts", FILLER, key=key)
    assert not found.relevant and found.override == "exclude_items"
    assert found.score == 3 and found.mentions  # for `feeder explain`


def test_a_phrase_never_matches_across_two_passages() -> None:
    topic = Topic("infosec", "Information security", ("information security",))
    found = verdict(topic, "Ministers discussed information", "Security of borders came next.")
    assert found.mentions == () and not found.relevant


def test_an_opening_clause_is_a_question_only_up_to_its_comma() -> None:
    text = "Regarding the budget the Secretary General said the Tajik border guards were paid."
    assert [p.field for p in split_passages("Interview", (Block("p", "Lead."), Block("p", text)))][
        -1
    ] == Field.BODY


def test_an_ignore_phrase_covers_the_word_in_its_wildcard_slot() -> None:
    topic = Topic("ex", "Exercises", ("training*", "drill*"), ignore=("training of * specialists",))
    found = verdict(topic, "Training of drill specialists completed", FILLER)
    assert [m.weight for m in found.mentions] == [0.0, 0.0] and not found.relevant


def test_context_rules_read_the_original_text_when_folding_changes_its_length() -> None:
    topic = Topic("russia", "Russia", ("Russia*", "Moscow"))
    paragraphs = (
        "MOSCOW, July 16 (Interfax) - The council met.",
        "The meeting was held in Moscow yesterday.",
        "The Straße of the old town leads to Moscow.",  # "ß" folds to "ss"
    )
    found = verdict(topic, "A report", *paragraphs)
    assert [(m.paragraph, m.offset, m.phrase, m.reason) for m in found.mentions] == [
        (1, 0, "MOSCOW", "in a dateline"),
        (2, 24, "Moscow", "the venue of a meeting"),
        (3, 36, "Moscow", ""),
    ]
