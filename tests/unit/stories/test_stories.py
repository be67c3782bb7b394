"""Story grouping and dating as pure decisions (feeder.stories): what makes two reports
one event, what keeps them apart, and the dates a story gives its reports."""

from __future__ import annotations

from datetime import date

from feeder.model import Block, DateSource
from feeder.stories import Dating, Grouping, Override, Report, date_story, group, signature
from feeder.stories.likeness import event_date, likeness

ARTICLE = [
    "On 24 June 2025, in Minsk, CSTO Secretary General Askar Beisenov held talks with the "
    "Minister of Defence of the Republic of Belarus Viktor Kovalenko.",
    "The parties discussed the preparation of the joint exercise “Cooperation-2025” at the "
    "Losvido range, where 2,300 servicemen and 140 units of equipment will take part.",
    "“Our armies speak one language on the training ground,” Beisenov said.",
]
REWRITE = [
    "MINSK, 24 June (BelTA) – Belarusian Defence Minister Viktor Kovalenko and CSTO chief "
    "Askar Beisenov discussed the Cooperation-2025 drills at Losvido, which will bring "
    "together about 2,300 troops and 140 pieces of hardware.",
    "Beisenov said the allied armies “speak one language on the training ground”.",
]
OTHER_MEETING = [
    "On 24 June 2025, in Minsk, CSTO Secretary General Askar Beisenov met with the "
    "Chairman of the State Security Committee of Belarus Ivan Tarasevich.",
    "They discussed the preparation of the joint exercise “Cooperation-2025” and the "
    "exchange of information on threats.",
]


def report(n: int, paragraphs: list[str], day: date | None, title: str = "") -> Report:
    blocks = [Block("p", text) for text in paragraphs]
    return Report(n, f"key{n}", signature(title or paragraphs[0][:60], blocks), day)


def place_all(*reports: Report, overrides: dict[str, Override] | None = None) -> list[int]:
    """The lead each report is placed under, taken in order."""
    counts: dict[str, int] = {}
    for r in reports:
        for term in r.signature.specific:
            counts[term] = counts.get(term, 0) + 1
    grouping = Grouping(counts, len(reports) + 20)  # as if among more stored reports
    grouping.alone = {k for k, o in (overrides or {}).items() if o.alone}
    return [p.lead for p in group(list(reports), grouping, overrides)]


JUNE_24, JUNE_25 = date(2025, 6, 24), date(2025, 6, 25)


def test_another_outlets_rewrite_with_paraphrased_quotes_joins_the_story() -> None:
    assert place_all(report(1, ARTICLE, JUNE_24), report(2, REWRITE, JUNE_25)) == [1, 1]


def test_an_undated_rewrite_joins_the_story_of_its_dated_original() -> None:
    assert place_all(report(1, ARTICLE, JUNE_24), report(2, REWRITE, None)) == [1, 1]


def test_the_same_official_at_another_meeting_the_same_day_is_another_story() -> None:
    assert place_all(report(1, ARTICLE, JUNE_24), report(2, OTHER_MEETING, JUNE_24)) == [1, 2]


def test_reports_a_week_apart_are_different_events() -> None:
    assert place_all(report(1, ARTICLE, JUNE_24), report(2, REWRITE, date(2025, 7, 1))) == [1, 2]


def test_an_announcement_and_the_report_of_the_event_stay_apart() -> None:
    announcement = [
        "On 24 June 2025, in Minsk, CSTO Secretary General Askar Beisenov will hold talks "
        "with the Minister of Defence of Belarus Viktor Kovalenko on the exercise "
        "“Cooperation-2025” at the Losvido range.",
    ]
    first = report(1, announcement, date(2025, 6, 23))
    assert place_all(first, report(2, ARTICLE, JUNE_24)) == [1, 2]


def test_an_exercises_opening_and_its_final_stage_on_other_days_stay_apart() -> None:
    opening = ["The opening ceremony of the exercise “Cooperation-2025” was held at the "
               "Losvido range in Belarus; 2,300 servicemen of the CSTO Collective Rapid "
               "Reaction Forces take part."]  # fmt: skip
    final = ["The final stage of the exercise “Cooperation-2025” was held at the Losvido "
             "range in Belarus; 2,300 servicemen of the CSTO Collective Rapid Reaction "
             "Forces took part."]  # fmt: skip
    assert place_all(report(1, opening, JUNE_24), report(2, final, date(2025, 6, 26))) == [1, 2]


def test_two_items_sharing_only_boilerplate_stay_apart() -> None:
    boilerplate = (
        "The CSTO includes Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia and Tajikistan. "
        "It counters terrorism, extremism, drug trafficking, illegal migration and cybercrime."
    )
    one = ["Rescuers of the CSTO countries trained near Almaty on mudflow response.", boilerplate]
    two = ["Border guards met in Dushanbe to plan the Channel operation.", boilerplate]
    assert place_all(report(1, one, JUNE_24), report(2, two, JUNE_24)) == [1, 2]


def test_a_short_note_with_a_name_or_number_of_its_own_is_no_copy_of_another() -> None:
    """Two notes of one template share all their words; each names something the other
    does not, so neither is a rewrite of the other. A copy that adds nothing joins."""
    one = report(1, ["Report on Belarus and Russia. More text follows here."], JUNE_24)
    two = report(2, ["Report 1720 on the treaty and Russia. More text follows."], JUNE_25)
    copy = report(3, ["Report on Belarus and Russia. More text follows."], JUNE_25)
    # Among many stored reports, where Belarus is common and Russia rare.
    counts = {"n:russia": 2, "n:belarus": 500, "#:1720": 1}
    assert [p.lead for p in group([one, two], Grouping(counts, 1000))] == [1, 2]
    assert [p.lead for p in group([one, copy], Grouping(counts, 1000))] == [1, 1]


def test_a_listing_summary_joins_its_long_article() -> None:
    summary = [ARTICLE[0] + " They discussed the exercise “Cooperation-2025”."]
    long_article = ARTICLE + [f"Paragraph {n} on other matters of the meeting." for n in range(40)]
    assert place_all(report(1, long_article, JUNE_24), report(2, summary, JUNE_24)) == [1, 1]


def test_a_report_set_alone_by_hand_is_joined_by_none() -> None:
    overrides = {"key1": Override(alone=True)}
    assert place_all(report(1, ARTICLE, JUNE_24), report(2, REWRITE, JUNE_24),
                     overrides=overrides) == [1, 2]  # fmt: skip


def test_a_report_put_with_another_by_hand_joins_it_however_unlike() -> None:
    overrides = {"key2": Override(with_key="key1")}
    unlike = ["Rescuers trained near Almaty on mudflow response."]
    assert place_all(report(1, ARTICLE, JUNE_24), report(2, unlike, date(2024, 1, 1)),
                     overrides=overrides) == [1, 1]  # fmt: skip


def test_a_report_joins_only_a_story_none_of_whose_reports_is_another_event() -> None:
    # The rewrite is like the article, but the other meeting already in its story is a
    # different event: complete agreement, not a chain of likenesses.
    merged = {"key3": Override(with_key="key1")}
    reports = report(1, ARTICLE, JUNE_24), report(3, OTHER_MEETING, JUNE_24)
    placed = place_all(*reports, report(2, REWRITE, JUNE_24), overrides=merged)
    assert placed == [1, 1, 2]


def test_a_person_counts_once_and_a_nationality_is_its_country() -> None:
    text = "Talks with the Armenian side: Imangali Tasmagambetov met officials of Armenia."
    sig = signature("", [Block("p", text)])
    assert {"tasmagambetov", "armenia"} <= sig.names
    assert "imangali" not in sig.names and "armenian" not in sig.names


def test_an_outlets_name_is_not_evidence_of_the_event() -> None:
    sig = signature("", [Block("p", "Border guards detained two men, Sputnik Tajikistan reports.")])
    assert "sputnik" not in sig.names


def test_a_listing_posted_days_later_is_compared_by_the_day_it_names() -> None:
    sig = signature("", [Block("p", "On 8 September 2023, the exercise ended at the range.")])
    assert event_date(date(2023, 9, 11), sig) == date(2023, 9, 8)
    announcement = signature("", [Block("p", "On 20 September, the council will meet.")])
    assert event_date(date(2023, 9, 11), announcement) == date(2023, 9, 11)


def test_likeness_is_relative_to_the_smaller_report() -> None:
    small, large = report(1, REWRITE, None).signature, report(2, ARTICLE, None).signature
    alike = likeness(small, large)
    assert alike == likeness(large, small) and alike.specific >= 3


def dating(key: str, day: date | None, source: DateSource, guessed: bool = False) -> Dating:
    return Dating(key, day, source, guessed)


def test_an_undated_report_takes_its_storys_earliest_stated_date() -> None:
    dated = date_story([
        dating("a", date(2023, 11, 16), DateSource.EXPLICIT),
        dating("b", None, DateSource.FIRST_SEEN),
        dating("c", date(2023, 11, 15), DateSource.EXPLICIT),
    ])  # fmt: skip
    assert [(d.day, d.source) for d in dated] == [
        (date(2023, 11, 16), DateSource.EXPLICIT),
        (date(2023, 11, 15), DateSource.STORY),
        (date(2023, 11, 15), DateSource.EXPLICIT),
    ]


def test_a_guessed_year_yields_to_the_storys_and_a_stated_one_does_not() -> None:
    stated_day = dating("a", date(2023, 11, 15), DateSource.EXPLICIT)
    guessed = date_story([stated_day, dating("b", date(2024, 11, 15), DateSource.CONTEXT, True)])
    assert guessed[1].day == date(2023, 11, 15)
    stated = date_story([dating("a", date(2023, 11, 15), DateSource.EXPLICIT),
                         dating("b", date(2024, 11, 15), DateSource.CONTEXT)])  # fmt: skip
    assert stated[1].day == date(2024, 11, 15)


def test_a_date_set_by_hand_wins_and_dates_the_story() -> None:
    dated = date_story(
        [dating("a", None, DateSource.FIRST_SEEN), dating("b", None, DateSource.FIRST_SEEN)],
        {"a": Override(day=date(2020, 5, 1))},
    )
    assert [(d.day, d.source) for d in dated] == [
        (date(2020, 5, 1), DateSource.SET),
        (date(2020, 5, 1), DateSource.STORY),
    ]


def test_a_story_with_no_date_leaves_its_reports_undated() -> None:
    dated = date_story([dating("a", None, DateSource.FIRST_SEEN)])
    assert (dated[0].day, dated[0].source) == (None, DateSource.FIRST_SEEN)


def test_equally_alike_earlier_reports_give_the_story_of_the_one_stored_first() -> None:
    # Candidates come in an order that follows a set of terms, which differs from one
    # process to the next; the choice between equals must not.
    leads = []
    for order in ([5, 3], [3, 5]):
        earlier = {n: report(n, ARTICLE, JUNE_24) for n in order}
        counts = {term: 2 for term in earlier[3].signature.specific}
        grouping = Grouping(counts, 22)
        for n in order:
            grouping.add(earlier[n], n)  # two stories, as placed by hand
        leads.append(group([report(9, REWRITE, JUNE_25)], grouping)[0].lead)
    assert leads == [3, 3]


def test_a_listings_note_of_an_interview_joins_the_interview_it_names() -> None:
    # The note shares one name with the interview; the outlet it was given to is the
    # second fact they share.
    interview = [
        "Moscow. February 9. INTERFAX.RU - In 2018 the Joint Staff plans to hold eleven "
        "joint trainings of the collective forces, three of them with live firing. Chief "
        "of the Joint Staff Vyacheslav Kuzmenko told Interfax about the rearmament of the "
        "forces and the situation on the southern borders.",
        "- What will be the main events of the year? - The plan of joint trainings for the "
        "year includes eleven trainings with live firing near Afghanistan and Tajikistan.",
    ]
    note = [
        "The Chief of the Joint Staff Vyacheslav Kuzmenko gave an interview to Interfax. He "
        "spoke about the plan of joint trainings for the year, the rearmament of the forces "
        "and the situation on the southern borders."
    ]
    day = date(2018, 2, 9)
    assert place_all(report(1, interview, day), report(2, note, day)) == [1, 1]


CFM_BELTA = [
    "Belarusian Foreign Minister Vladimir Makei called on the partners to coordinate "
    "their positions at the session of the CSTO Council of Foreign Ministers in Dushanbe, "
    "where he spoke about the situation in Ukraine and relations with the EU."
]
CFM_KAZINFORM = [
    "Kazakh Foreign Minister Erlan Idrissov took part in the meeting of the Council of "
    "Foreign Ministers of the CSTO in the Tajik capital, Dushanbe, and proposed a joint "
    "statement on the fight against terrorism in Afghanistan."
]


def test_each_outlets_own_delegate_at_one_bodys_session_is_one_story() -> None:
    day = date(2015, 9, 14)
    assert place_all(report(1, CFM_BELTA, day), report(2, CFM_KAZINFORM, day)) == [1, 1]


def test_one_bodys_sessions_on_two_days_stay_apart() -> None:
    first, second = date(2015, 9, 14), date(2016, 10, 13)
    assert place_all(report(1, CFM_BELTA, first), report(2, CFM_KAZINFORM, second)) == [1, 2]


def test_undated_reports_of_two_bodies_sessions_stay_apart() -> None:
    ministers = [
        "Armenian Foreign Minister Edward Nalbandian spoke at the session of the Council of "
        "Foreign Ministers in Yerevan about the Karabakh settlement and regional security."
    ]
    secretaries = [
        "Armenian Security Council Secretary Armen Grigoryan spoke at the sitting of the "
        "Committee of Secretaries of Security Councils in Yerevan about regional security "
        "and the Karabakh settlement."
    ]
    assert place_all(report(1, ministers, None), report(2, secretaries, None)) == [1, 2]


SUMMIT = [
    "On 5 September 2008, the session of the Collective Security Council was held in the "
    "Kremlin under the chairmanship of Dmitry Medvedev. Serzh Sargsyan of Armenia spoke "
    "about the Nagorno-Karabakh settlement and the situation in South Ossetia."
]


def test_a_yearless_datelines_report_joins_only_a_story_of_its_day_and_month() -> None:
    rewrite = "T" + SUMMIT[0].split(", t", 1)[1]  # the same text, behind a dateline
    other_day, same_day = (
        [f"MOSCOW, DECEMBER 10, ARMENPRESS. {rewrite}"],
        [f"MOSCOW, SEPTEMBER 5, ARMENPRESS. {rewrite}"],
    )
    summit = date(2008, 9, 5)
    assert place_all(report(1, SUMMIT, summit), report(2, other_day, None)) == [1, 2]
    assert place_all(report(1, SUMMIT, summit), report(2, same_day, None)) == [1, 1]


def test_a_unit_that_will_take_part_announces_the_exercise_it_is_not_a_report_of() -> None:
    final = [
        "The final stage of the exercise Interaction-2009 of the collective forces was held "
        "at the Matybulak range in Kazakhstan with a battalion of the Tajik air assault "
        "brigade and Russian paratroopers."
    ]
    announced = [
        "A battalion of the Tajik air assault brigade will take part in the exercise of the "
        "collective forces Interaction-2009 at the Matybulak range in Kazakhstan, together "
        "with Russian paratroopers."
    ]
    assert place_all(report(1, final, date(2009, 10, 16)), report(2, announced, None)) == [1, 2]
