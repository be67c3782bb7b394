"""Mentions that say nothing about an item's subject: each context rule on its own,
and the uses of a word it must leave alone."""

from __future__ import annotations

import pytest

from feeder.topics.context import PassageContext


def weight_of(text: str, word: str, occurrence: int = 0) -> tuple[float, str]:
    """How much the `occurrence`-th `word` in `text` counts, and why."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(word, start + 1)
    discount = PassageContext(text).discount(start, start + len(word))
    return discount.weight, discount.reason


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("The CSTO includes Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia and Tajikistan.",
         "Tajikistan"),
        ("It counters terrorism, extremism, drug trafficking, illegal migration and cybercrime.",
         "migration"),
        ("the Republic of Armenia, the Republic of Belarus, the Republic of Kazakhstan, "
         "the Kyrgyz Republic and the Republic of Tajikistan", "Kazakhstan"),
        ("a video bridge Moscow - Minsk - Astana - Bishkek - Yerevan", "Astana"),
        ("Members: Armenia, Belarus, Kazakhstan, Kyrgyzstan.", "Belarus"),
    ],
)  # fmt: skip
def test_a_name_in_an_enumeration_of_four_or_more_does_not_count(text: str, word: str) -> None:
    weight, reason = weight_of(text, word)
    assert weight == 0 and "enumeration" in reason


def test_one_of_three_counts_half() -> None:
    text = "Armenia, Azerbaijan and Russia signed the statement."
    assert weight_of(text, "Russia") == (0.5, "one of an enumeration of 3")


@pytest.mark.parametrize(
    "text",
    [
        "In Kazakhstan, a joint command-staff training began at checkpoints, roadblocks and "
        "refugee reception points.",
        "Kyrgyzstan and Tajikistan agreed on the border.",  # two are not a list
        "On June 6, 2024, the Security Council of Kazakhstan met its partners.",
    ],
)
def test_a_name_outside_any_list_counts(text: str) -> None:
    word = "Kazakhstan" if "Kazakhstan" in text else "Kyrgyzstan"
    assert weight_of(text, word) == (1.0, "")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Sputnik Armenia reports that the minister spoke.", "Armenia"),
        ("In an interview with “Sputnik Belarus” agency, he said", "Belarus"),
        ("according to Kazakhstan Today agency, the session", "Kazakhstan"),
        ("told the Belarus Segodnya newspaper", "Belarus"),
        ("as the Kazakh news agency Kazinform reported", "Kazakh"),
        ("an interview with the newspaper “Kazakhstanskaya Pravda”", "Kazakhstanskaya"),
    ],
)
def test_a_name_inside_an_outlets_name_does_not_count(text: str, word: str) -> None:
    weight, reason = weight_of(text, word)
    assert weight == 0 and "outlet" in reason


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("The meeting was held in Moscow under the chairmanship of the Secretary General.",
         "Moscow"),
        ("On September 30, 2024, in Almaty, the meeting of the Council was held.", "Almaty"),
        ("Next week Minsk will host a summit of the Organization.", "Minsk"),
        ("The Secretary General met NATO observers in Minsk.", "Minsk"),
        ("as our leaders said during the Moscow summit in May", "Moscow"),
        ("at the session of the Collective Security Council in Bishkek last November", "Bishkek"),
    ],
)  # fmt: skip
def test_a_city_that_is_only_a_meetings_venue_does_not_count(text: str, word: str) -> None:
    assert weight_of(text, word) == (0.0, "the venue of a meeting")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Today, in the Republic of Kazakhstan, at the training range, the opening ceremony "
         "of the command-staff training was held.", "Kazakhstan"),  # a training, not a meeting
        ("The situation in Afghanistan was discussed at the meeting.", "Afghanistan"),
        ("The NATO summit in Madrid adopted a new concept.", "NATO"),  # an acronym
        ("The Foreign Minister of Armenia met the Secretary General in Moscow.", "Armenia"),
    ],
)  # fmt: skip
def test_the_subject_of_a_meeting_still_counts(text: str, word: str) -> None:
    assert weight_of(text, word) == (1.0, "")


@pytest.mark.parametrize(
    "text",
    [
        "Moscow. July 16. INTERFAX.RU - In 2020 the presidency passed on.",
        "MOSCOW, July 16 (Interfax) - The council met.",
        "Moscow, 5 March /TASS/ - The council met.",
    ],
)
def test_a_dateline_does_not_count(text: str) -> None:
    assert weight_of(text, text.split(maxsplit=1)[0].rstrip(".,")) == (0.0, "in a dateline")


def test_a_word_inside_a_link_does_not_count() -> None:
    text = "Read more: https://www.pnp.ru/politics/zas-v-kazakhstane-odkb.html"
    assert weight_of(text, "kazakhstane") == (0.0, "inside a link or address")


@pytest.mark.parametrize(
    ("text", "word", "reason"),
    [
        ("Masadykov, the Special Representative of the CSTO Secretary General for "
         "Peacekeeping, met the group.", "Peacekeeping", "in the title of a post"),
        ("met the Ambassador of Belarus to the Russian Federation", "Russian",
         "in the title of a post"),
        ("courses at the Moscow State University named after Lomonosov", "Moscow",
         "in the name of a body or place"),
        ("On 15 September the CSTO Joint Staff in Moscow held a planning meeting", "Moscow",
         "the seat of a body"),
    ],
)  # fmt: skip
def test_names_of_posts_bodies_and_seats_do_not_count(text: str, word: str, reason: str) -> None:
    assert weight_of(text, word) == (0.0, reason)


def test_the_country_a_diplomat_represents_still_counts() -> None:
    text = "met the Ambassador of Belarus to the Russian Federation"
    assert weight_of(text, "Belarus") == (1.0, "")
