"""The date test of grouping's candidate loop (inlined there for speed) decides as
`days_agree` does, for firm, guessed, page and context dates alike."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from itertools import product

import pytest

from feeder.model import Block
from feeder.stories import Grouping, Report, group, signature
from feeder.stories.grouping import _dates_allow

TALKS = [
    "In Minsk, CSTO Secretary General Askar Beisenov held talks with the Minister of "
    "Defence of the Republic of Belarus Viktor Kovalenko.",
    "The parties discussed the preparation of the joint exercise “Cooperation-2025” at the "
    "Losvido range, where 2,300 servicemen and 140 units of equipment will take part.",
]
SIGNATURE = signature(TALKS[0][:60], [Block("p", text) for text in TALKS])
DAY = date(2025, 6, 24)


def _report(n: int, day: date | None, soft: bool, context: bool) -> Report:
    return Report(n, f"key{n}", SIGNATURE, day, soft, context=context)


@pytest.mark.parametrize("gap", [None, 0, 1, 2, 3, 4, 365, 366])
@pytest.mark.parametrize(("soft", "context"), list(product([False, True], repeat=2)))
def test_a_copy_joins_its_original_exactly_when_their_dates_allow_one_event(
    gap: int | None, soft: bool, context: bool
) -> None:
    for first_soft, first_context in product([False, True], repeat=2):
        one = _report(1, DAY, first_soft, first_context)
        two = _report(2, None if gap is None else DAY + timedelta(days=gap), soft, context)
        counts = dict.fromkeys(SIGNATURE.specific, 2)
        leads = [p.lead for p in group([one, two], Grouping(counts, 100))]
        assert leads == [1, 1 if _dates_allow(one, two) else 2], (first_soft, first_context)


def test_a_report_placed_in_a_story_keeps_all_but_its_lead() -> None:
    report = _report(7, DAY, True, True)
    assert report.in_story(3) == dataclasses.replace(report, lead=3)
    assert report.in_story(3).firm_event is None  # a guessed year is never firm
    assert _report(8, DAY, False, True).firm_event == DAY.toordinal()
