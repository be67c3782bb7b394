from datetime import date

import pytest

from feeder.dates import first_text_date, parse_numeric_date


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
