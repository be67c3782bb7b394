"""The `Feeder` facade that the CLI (and later the server and scheduler) call."""

from __future__ import annotations

import pytest

from feeder import Feeder
from feeder.errors import UnknownTopicError


@pytest.fixture
def database_url(each_database: str) -> str:
    return each_database


def test_items_of_an_unknown_topic_raise_a_named_error(feeder: Feeder) -> None:
    with pytest.raises(UnknownTopicError):
        feeder.items("weather")


def test_topics_list_every_configured_topic_in_order_even_when_empty(feeder: Feeder) -> None:
    before = feeder.topics()
    assert [t.slug for t in before][:3] == ["peacekeeping", "exercises", "afghanistan"]
    assert {t.items for t in before} == {0}
    feeder.refresh()
    assert sum(t.items for t in feeder.topics()) > 0


def test_items_are_newest_first_and_limited(feeder: Feeder) -> None:
    feeder.refresh()
    newest = feeder.items(limit=5)
    assert len(newest) == 5
    assert [i.published for i in newest] == sorted((i.published for i in newest), reverse=True)


def test_site_carries_the_configured_urls_and_zone(feeder: Feeder, settings) -> None:
    assert feeder.site.base_url == settings.base_url
    assert feeder.site.zone is settings.tz


def test_status_reports_each_source_topic_and_where_data_lives(feeder: Feeder, settings) -> None:
    before = feeder.status()
    assert before.service_pid is None and before.feeds_dir == settings.feeds_dir
    seeds = before.sources["seeds"]
    assert seeds.scans.last_scan is None and seeds.next_interval == seeds.interval
    feeder.refresh()
    after = feeder.status()
    seeds = after.sources["seeds"]
    assert seeds.scans.last_scan == after.now and seeds.standing == "ok"
    assert seeds.worker == feeder.worker and not seeds.scanning and seeds.paused_until is None
    assert [t.slug for t in after.topics] == [t.slug for t in feeder.topics()]
    assert sum(t.items for t in after.topics) > 0
