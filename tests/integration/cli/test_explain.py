"""`feeder explain`: why an item is in each topic, end to end on the shipped seeds,
and the reasons the item pages carry."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import configure
from typer.testing import CliRunner

from feeder import load_settings, make_feeder
from feeder.cli import app
from feeder.model import Block, DateSource, ItemKind, ParsedItem

runner = CliRunner()
# The full Tasmagambetov interview (seeds/000): Belarus and Russia are discussed in
# answers of their own; Armenia is only in the list of member states, Tajikistan in
# that list and in one line of a list of trainings.
INTERVIEW = "886412b4004c61f4c4455582"
ARMENIAN_TEASER = "9fb88ab39d1e18e47cdf96c4"  # "Sputnik Armenia reports that the Armenian ..."


@pytest.fixture(autouse=True)
def refreshed(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(workdir)
    monkeypatch.delenv("FEEDER_CONFIG", raising=False)
    assert runner.invoke(app, ["refresh", "--quiet"]).exit_code == 0
    return workdir


def test_explain_shows_score_matches_ignored_ones_threshold_and_verdict() -> None:
    result = runner.invoke(app, ["explain", ARMENIAN_TEASER])
    assert result.exit_code == 0, result.output
    assert "stored in: armenia" in result.stdout
    assert "armenia (Armenia): IN, score 3 ≥ 3: title “Armenian”" in result.stdout
    assert "ignored     title ¶1 @8            “Armenia” (Armenia*): in an outlet's name" in (
        result.stdout
    )
    assert "counts      title ¶1 @33           “Armenian” (Armenia*)" in result.stdout
    assert "no keyword of: peacekeeping," in result.stdout


def test_explain_names_why_a_listed_country_is_out() -> None:
    result = runner.invoke(app, ["explain", INTERVIEW[:8]])  # a prefix names the item
    assert result.exit_code == 0, result.output
    assert "tajikistan (Tajikistan): out, score 1 < 3: body “Tajikistan”" in result.stdout
    assert "ignored     body ¶2 @221           “Tajikistan” (Tajik*): one of an enumeration" in (
        result.stdout
    )
    assert "belarus (Belarus): IN" in result.stdout


def test_explain_json_carries_every_topic_with_its_mentions() -> None:
    result = runner.invoke(app, ["explain", INTERVIEW, "--json"])
    data = json.loads(result.stdout)
    assert data["key"] == INTERVIEW and set(data["topics"]) == set(data["stored_topics"])
    verdicts = {v["slug"]: v for v in data["verdicts"]}
    assert len(verdicts) == 15
    assert verdicts["belarus"]["relevant"] and verdicts["belarus"]["score"] >= 3
    armenia = verdicts["armenia"]
    assert not armenia["relevant"] and armenia["threshold"] == 3
    assert {m["reason"] for m in armenia["mentions"]} == {"one of an enumeration of 6"}
    assert {"field", "paragraph", "offset", "phrase", "keyword", "weight"} <= set(
        armenia["mentions"][0]
    )


def test_explain_of_an_unknown_key_exits_1_naming_it() -> None:
    result = runner.invoke(app, ["explain", "ffffffff"])
    assert result.exit_code == 1
    assert "no stored item has a key starting with 'ffffffff'" in result.stderr


@pytest.mark.parametrize("key", ["", "  ", "88", "not-a-key", "886412b4004c61f4c4455582ff"])
def test_explain_refuses_what_cannot_name_an_item(key: str) -> None:
    result = runner.invoke(app, ["explain", key])
    assert result.exit_code == 1 and "is not an item key" in result.stderr


def test_explain_of_a_prefix_fitting_several_keys_lists_them(workdir: Path) -> None:
    now = datetime(2024, 1, 2, tzinfo=UTC)
    with make_feeder(load_settings(cwd=workdir)) as feeder, feeder.store.write() as writer:
        for key in ("abcd" + "0" * 20, "abcd" + "1" * 20):
            item = ParsedItem(key, "T", (Block("p", "B"),), ItemKind.ARTICLE, None,
                              DateSource.FIRST_SEEN)  # fmt: skip
            writer.add_item(item, now, now)
    result = runner.invoke(app, ["explain", "abcd"])
    assert result.exit_code == 1 and "'abcd' starts several keys (abcd0000" in result.stderr
    assert runner.invoke(app, ["explain", "abcd1"]).exit_code == 0  # more of it names one


def test_explain_says_when_stored_tags_lag_behind_edited_rules(workdir: Path) -> None:
    configure(
        workdir,
        '[topics.armenia]\ntitle = "Armenia"\nkeywords = ["Armenia*"]\n'
        f'exclude_items = ["{ARMENIAN_TEASER}"]\n',
    )
    result = runner.invoke(app, ["explain", ARMENIAN_TEASER])
    assert "stored in: armenia" in result.stdout
    assert "today's rules put it in: no topic (the next `feeder refresh` re-tags it)" in (
        result.stdout
    )
    assert "the item's key is listed in topics.armenia.exclude_items" in result.stdout
    runner.invoke(app, ["refresh", "--quiet"])
    assert "stored in: no topic" in runner.invoke(app, ["explain", ARMENIAN_TEASER]).stdout


def test_item_pages_say_why_the_item_is_in_each_topic(workdir: Path) -> None:
    page = (workdir / "feeds" / "items" / f"{ARMENIAN_TEASER}.html").read_text("utf-8")
    assert "why this topic: score 3 ≥ 3: title “Armenian”" in page


def test_items_json_gives_the_reason_per_topic() -> None:
    rows = json.loads(runner.invoke(app, ["items", "--limit", "50", "--json"]).stdout)
    (teaser,) = [row for row in rows if row["key"] == ARMENIAN_TEASER]
    assert teaser["why"] == {"armenia": "score 3 ≥ 3: title “Armenian”"}
