import pytest

from feeder.config import load_settings
from feeder.topics import Topic, TopicMatcher, keyword_pattern


def matcher(*topics: Topic) -> TopicMatcher:
    return TopicMatcher(topics)


def test_keywords_match_whole_words_case_insensitively() -> None:
    m = matcher(Topic("nato", "NATO", ("NATO",)))
    assert m.match("the nato summit") == ("nato",)
    assert m.match("a DONATOR gave") == ()


def test_star_is_a_word_suffix_wildcard() -> None:
    m = matcher(Topic("peace", "Peace", ("peacekeep*",)))
    assert m.match("Peacekeeping forces") == ("peace",)
    assert m.match("peacekeepers") == ("peace",)
    assert m.match("a peace keeper") == ()


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("peacekeepers in Osh", True),
        ("(Peacekeeping)", True),
        ("unpeacekeeping", False),  # a letter before the first word
        ("_peacekeeping", False),  # \w includes the underscore
        ("the Ministry of Defence met", True),
        ("the ministry of defenceless", False),  # a letter after the last word
        ("xministry of defence", False),
        ("МИД России", True),  # any script, folded
        ("ПодМИД России", False),
    ],
)
def test_word_boundaries_hold_on_both_sides_of_a_keyword(text: str, matched: bool) -> None:
    m = matcher(Topic("t", "T", ("peacekeep*", "ministry of defence", "МИД России")))
    assert (m.match(text) == ("t",)) is matched


def test_phrases_match_across_any_whitespace() -> None:
    m = matcher(Topic("infosec", "Infosec", ("information security",)))
    assert m.match("Information\n  Security incidents") == ("infosec",)
    assert m.match("information about security") == ()


def test_exclude_keeps_an_item_out_of_a_topic() -> None:
    m = matcher(Topic("drugs", "Drugs", ("drug*",), exclude=("drug store",)))
    assert m.match("drug trafficking routes") == ("drugs",)
    assert m.match("a drug store opened; drug trafficking too") == ()


def test_topics_come_back_in_configured_order() -> None:
    m = matcher(Topic("b", "B", ("beta",)), Topic("a", "A", ("alpha",)))
    assert m.match("alpha and beta") == ("b", "a")


@pytest.mark.parametrize("bad", ["", "   ", "*", "pe*ace", "**"])
def test_unmatchable_keywords_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        keyword_pattern(bad)


def test_fingerprint_changes_with_the_rules() -> None:
    one = matcher(Topic("a", "A", ("alpha",)))
    assert one.fingerprint == matcher(Topic("a", "Renamed", ("alpha",))).fingerprint
    assert one.fingerprint != matcher(Topic("a", "A", ("alpha", "beta"))).fingerprint


@pytest.mark.parametrize(
    ("slug", "text"),
    [
        ("kyrgyzstan", "the Kyrgyz Republic chairs"),
        ("kyrgyzstan", "Kyrgyzstan and others"),
        ("kazakhstan", "Kazakhstan's chairmanship"),
        ("kazakhstan", "the Republic of Kazakhstan"),
        ("belarus", "the Belarusian territory"),
        ("armenia", "the Armenian Foreign Minister"),
        ("tajikistan", "the Tajik-Afghan border"),
        ("russia", "the Russian Federation"),
        ("afghanistan", "Afghan heroin"),
        ("drug-trafficking", "anti-drug operation"),
        ("terrorism", "Extremist Ideology"),
        ("migration", "illegal migrants"),
        ("biological-security", "COVID-19 infections"),
        ("exercises", "a command-staff training"),
        ("information-security", "cyber security"),
    ],
)
def test_default_topics_catch_the_forms_used_in_the_corpus(slug: str, text: str, tmp_path) -> None:
    default = TopicMatcher(load_settings(cwd=tmp_path).topic_list())
    assert slug in default.match(text)
