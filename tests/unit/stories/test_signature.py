"""What a report's signature takes from its text (feeder.stories.signature): the terms
another report of the same event would share, and what its opening says of the event."""

from __future__ import annotations

from feeder.model import Block
from feeder.stories import signature


def sig(text: str, title: str = ""):
    return signature(title, [Block("p", text)])


def test_numbers_written_as_words_are_numbers() -> None:
    words = sig("The Joint Staff plans eleven joint trainings and twenty-five staff talks.")
    digits = sig("The Joint Staff will hold 11 trainings, 25 of them staff talks.")
    assert {"11", "25"} <= words.numbers and {"11", "25"} <= digits.numbers


def test_numbers_below_ten_stay_out_as_words_and_digits() -> None:
    assert not sig("Two delegations met for three hours in 5 rooms.").numbers


def test_a_quoted_name_mid_sentence_is_a_name() -> None:
    quoted = sig('The training of the Forces "Interaction-2017" opened near Vitebsk.')
    plain = sig("Troops took part in the final phase of Interaction-2017 near Vitebsk.")
    assert "interaction-2017" in quoted.names & plain.names


def test_a_quote_opening_a_sentence_names_nothing_by_its_capital() -> None:
    assert "our" not in sig('He spoke. "Our armies are ready," the minister said.').names


def test_a_quote_headlines_future_is_the_speakers_plan_not_an_announcement() -> None:
    text = "The Chief of the Joint Staff Vyacheslav Kuzmenko gave an interview to Interfax."
    quoted = sig(text, title="Vyacheslav Kuzmenko: the forces will hold eleven trainings")
    announced = sig(text, title="The forces will hold eleven trainings this year")
    assert "future" not in quoted.phase and "future" in announced.phase


def test_an_institutes_name_is_no_person() -> None:
    text = "Yerbol Zhakupov of the Kazakhstan Institute for Strategic Studies spoke."
    assert sig(text).people == {"zhakupov"}


def test_the_outlet_an_interview_was_given_to_is_read_from_the_whole_lead() -> None:
    lead = (
        "In 2018 the Joint Staff plans to hold eleven joint trainings. The Chief of the "
        "Joint Staff Vyacheslav Kuzmenko told Interfax about the priorities of the year."
    )
    assert sig(lead).interviewer == {"interfax"}


def test_the_bodies_an_opening_reports_on_are_its_occasions() -> None:
    text = (
        "The Council of Foreign Ministers of the CSTO met in Dushanbe on the eve of the "
        "session of the Collective Security Council."
    )
    assert sig(text).occasions == {"council of foreign ministers"}


def test_a_body_named_for_a_post_ends_at_the_persons_name() -> None:
    text = "He met the Secretary of the Security Council of Armenia Armen Grigoryan."
    assert sig(text).occasions == {"security council of armenia"}


def test_an_event_named_with_its_year_is_an_occasion_unless_only_prepared() -> None:
    assert sig('The exercise "Interaction-2013" ended near Brest.').occasions == {
        "interaction-2013"
    }
    assert not sig("They discussed the preparation of the exercise Interaction-2013.").occasions


def test_an_outlet_the_brands_do_not_list_is_read_by_its_name_word() -> None:
    lead = "Nikolai Bordyuzha said in an interview with Rossiyskaya Gazeta that the forces grow."
    assert sig(lead).interviewer == {"rossiyskaya"}
