from datetime import date

import pytest

from feeder.parse.dates import (
    after_dateline,
    dateline_day,
    first_text_date,
    parse_numeric_date,
    undated_item_date,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On June 6, 2024, in Almaty, a meeting", date(2024, 6, 6)),
        ("held on 30 September 2024 in Moscow", date(2024, 9, 30)),
        ("signed 30.05.2022.", date(2022, 5, 30)),
        ("On 25-26 September 2024, the conference", date(2024, 9, 26)),
        ("on the 3rd of March, 2021 they met", date(2021, 3, 3)),
        ("Sept. 9, 2020 was a Wednesday", date(2020, 9, 9)),
    ],
)
def test_first_text_date_reads_common_written_forms(text: str, expected: date) -> None:
    assert first_text_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "On November 23, Minsk will host",
        "On 18 October, the Duma",
        "In 2020 Russia",
        "Interaction-2024",
        "July 16. INTERFAX.RU",
        "version 1.10.2024.5",
        "",
    ],
)
def test_dates_without_a_year_or_not_dates_at_all_do_not_count(text: str) -> None:
    assert first_text_date(text) is None


def test_the_first_date_in_the_text_wins_whatever_its_form() -> None:
    assert first_text_date("On 01.02.2023 and on March 5, 2022") == date(2023, 2, 1)
    assert first_text_date("On March 5, 2022 and on 01.02.2023") == date(2022, 3, 5)


def test_impossible_dates_are_passed_over() -> None:
    assert first_text_date("On February 30, 2024 and June 1, 2024") == date(2024, 6, 1)
    assert parse_numeric_date("31.02.2024") is None
    assert parse_numeric_date("29.02.2024") == date(2024, 2, 29)
    assert parse_numeric_date("2.10.2024") is None


# Dates an undated item gives itself (`undated_item_date`): a dateline's or its lead's
# day and month, with the year its text states elsewhere.
@pytest.mark.parametrize(
    ("title", "paragraphs", "expected", "guessed"),
    [
        # Interfax's dateline, the year in the next sentence (seeds/003).
        ("Title", ["Moscow. July 16. INTERFAX.RU - In 2020 Russia holds the presidency."],
         date(2020, 7, 16), False),
        ("Title", ["BISHKEK, March 3 (AKIpress) - The council met. Kyrgyzstan chairs in 2021."],
         date(2021, 3, 3), False),
        ("Title", ["ASTANA, 4 December /Kazinform/ – Delegates arrived.", "It was 2019."],
         date(2019, 12, 4), True),
        # A day and month in the lead; the year only in an exercise's name: a guess.
        ("Title", ["On 20 December, the staff of Rubezh-2023 met in Dushanbe."],
         date(2023, 12, 20), True),
        # A plan's year is a horizon, not the item's year.
        ("Title", ["BISHKEK, November 5 (AKIpress) - The plan for 2020 was approved. "
                   "Kyrgyzstan chairs the CSTO in 2019."], date(2019, 11, 5), False),
        # Two years next to the dateline: which one is a guess.
        ("Title", ["MINSK, May 3 (BelTA) - Plans of 2018 and results of 2017 were heard."],
         date(2018, 5, 3), True),
    ],
)  # fmt: skip
def test_an_undated_item_dates_itself_from_its_text(
    title: str, paragraphs: list[str], expected: date, guessed: bool
) -> None:
    found = undated_item_date(title, paragraphs)
    assert found is not None and (found.day, found.context, found.year_guessed) == (
        expected, True, guessed,
    )  # fmt: skip


def test_no_year_anywhere_gives_no_date_and_a_full_date_is_a_text_date() -> None:
    assert undated_item_date("Title", ["MOSCOW, July 16 (TASS) - Talks were held."]) is None
    found = undated_item_date("Title", ["Talks were held on 3 March 2021 in Bishkek."])
    assert found is not None and (found.day, found.context) == (date(2021, 3, 3), False)


def test_a_dateline_is_not_the_title_nor_part_of_it() -> None:
    assert after_dateline("Moscow. July 16. INTERFAX.RU - In 2020 Russia leads.") == (
        "In 2020 Russia leads."
    )
    assert after_dateline("The CSTO met in Moscow. It was July.") == (
        "The CSTO met in Moscow. It was July."
    )


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("Moscow. June 14. INTERFAX - The CSTO will help Bishkek.", "06-14"),
        ("MOSCOW, SEPTEMBER 5, ARMENPRESS. The President took part.", "09-05"),
        ("Baku, Dec. 20 (Trend) - The member states agreed.", "12-20"),
        ("The council met on 4 February in the Kremlin.", None),
    ],
)
def test_a_wire_datelines_day_and_month_is_read_with_no_year_anywhere(
    lead: str, expected: str | None
) -> None:
    assert dateline_day("", [lead]) == expected
