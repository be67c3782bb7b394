from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeder.config import load_settings
from feeder.model import Block
from feeder.topics import Topic, TopicMatcher, keyword_pattern
from feeder.topics.rules import WordIndex


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


# The prefilters (which topics, keywords, ignore and exclude phrases are looked for in
# an item) may only save work: judged with every phrase looked for everywhere, every
# item must get the same verdicts.
_SHIPPED = load_settings(cwd=Path(__file__).resolve().parents[2]).topic_list()
_PHRASES = [p for t in _SHIPPED for p in (*t.keywords, *t.ignore, *t.exclude)]
_VOCABULARY = sorted(
    {word.strip("*") for phrase in _PHRASES for word in phrase.split() if word != "*"}
    | {"the", "in", "held", "meeting", "and", ",", "Straße", "“Sputnik", "Today", "-", "x."}
)


def _brute_force_matcher() -> TopicMatcher:
    """A matcher that looks for every phrase wherever it could be."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("feeder.topics.relevance.share_a_word", lambda one, other: True)
        return TopicMatcher(_SHIPPED)


_BRUTE = _brute_force_matcher()
_EVERY_WORD = frozenset(
    max((w.rstrip("*") for w in p.casefold().split() if w != "*"), key=len) for p in _PHRASES
)


def _verdicts(matcher: TopicMatcher, title: str, text: str) -> list[tuple[object, ...]]:
    verdicts = matcher.judge("", title, (Block("p", text),))
    return [(v.slug, v.relevant, v.score, [(m.offset, m.weight) for m in v.mentions])
            for v in verdicts]  # fmt: skip


def _instance(phrase: str, fillers: list[str], ending: str) -> str:
    """A text the phrase matches: each lone `*` another word (a keyword, maybe), each
    `word*` the word with an ending."""
    words = []
    for word in phrase.split():
        if word == "*":
            words.append(fillers.pop() if fillers else "x")
        else:
            words.append(word[:-1] + ending if word.endswith("*") else word)
    return " ".join(words)


_KEYWORD_WORDS = sorted({w.strip("*") for t in _SHIPPED for k in t.keywords for w in k.split()})
_PIECES = st.one_of(
    st.sampled_from(_VOCABULARY),
    st.builds(  # a phrase, its wildcards filled with keywords' words
        _instance,
        st.sampled_from(_PHRASES),
        st.lists(st.sampled_from(_KEYWORD_WORDS), max_size=3),
        st.sampled_from(["", "s", "ing", "ian"]),
    ),
)


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.tuples(_PIECES, st.sampled_from([str, str.upper, str.title])),
             min_size=1, max_size=12),
    st.integers(0, 5),
)  # fmt: skip
def test_prefilters_never_change_a_verdict(pieces: list[tuple[str, object]], cut: int) -> None:
    text = " ".join(case(piece) for piece, case in pieces)  # type: ignore[operator]
    title = " ".join(text.split()[:cut]) or "Report"
    matcher = TopicMatcher(_SHIPPED)
    fast = _verdicts(matcher, title, text), matcher.tags("", title, (Block("p", text),))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WordIndex, "words_in", lambda self, folded: _EVERY_WORD)
        brute = _verdicts(_BRUTE, title, text), _BRUTE.tags("", title, (Block("p", text),))
    assert fast == brute
