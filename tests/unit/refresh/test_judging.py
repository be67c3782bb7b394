"""Judging items ahead in worker processes (feeder.refresh.judging): the same topics and
signatures as judged in this process, and nothing taken for another text of a key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from conftest import SEED_FILES

from feeder.config import load_settings
from feeder.model import Block, ParsedItem
from feeder.parse import SeedParser
from feeder.refresh.judging import Judgements
from feeder.refresh.stories import sign_item
from feeder.topics import TopicMatcher


def seed_items() -> list[ParsedItem]:
    parser = SeedParser()
    return [item for path in SEED_FILES for item in parser.parse_bytes(path.read_bytes()).items]


def matcher(tmp_path) -> TopicMatcher:
    return TopicMatcher(load_settings(cwd=tmp_path).topic_list())


@pytest.fixture
def pooled(tmp_path) -> Iterator[tuple[list[ParsedItem], TopicMatcher, Judgements]]:
    """The seeds' items judged ahead in two worker processes."""
    items, topics = seed_items(), matcher(tmp_path)
    judging = Judgements(topics, sign_item, workers=2, from_items=1)
    judging.submit(items)
    judging.collect()
    yield items, topics, judging
    judging.close()


def test_workers_find_what_this_process_would(pooled) -> None:
    items, topics, judging = pooled
    assert judging.started
    for item in items:
        expected = topics.tags(item.key, item.title, item.blocks)
        assert judging.tags(item.key, item.title, item.blocks) == expected
        assert judging.signature(item) == sign_item(item)


def test_another_text_of_a_key_is_judged_again(pooled) -> None:
    items, topics, judging = pooled
    first = items[0]
    edited = replace(first, blocks=(Block("p", "Peacekeepers of Kazakhstan trained."),))
    expected = topics.tags(edited.key, edited.title, edited.blocks)
    assert judging.tags(edited.key, edited.title, edited.blocks) == expected
    assert judging.signature(edited) == sign_item(edited) != sign_item(first)


def test_few_items_start_no_workers_and_are_judged_here(tmp_path) -> None:
    items, topics = seed_items(), matcher(tmp_path)
    judging = Judgements(topics, sign_item, workers=2, from_items=len(items) + 1)
    judging.submit(items)
    judging.collect()
    assert not judging.started
    item = items[0]
    assert judging.signature(item) == sign_item(item)
    judging.close()
