"""The benchmark's Hugo peer builds the same items into a site with a feed per tag
(needs Debian's `hugo`; CI installs it). Its figures are never asserted."""

from __future__ import annotations

from pathlib import Path

import feedparser

from benchmarks.corpus import write_corpus
from benchmarks.hugo import render, run_feeder, run_hugo


def test_hugo_is_given_every_item_feeder_stored_with_its_topics_as_tags(tmp_path: Path) -> None:
    write_corpus(tmp_path / "corpus", files=12, items_per_file=4, seed=3)
    ours = run_feeder(tmp_path / "corpus", tmp_path / "feeder", runs=1, feeder_command=["feeder"])
    theirs, items = run_hugo(tmp_path / "feeder", tmp_path / "hugo", runs=1)
    public = tmp_path / "hugo" / "site" / "public"
    pages = list((public / "items").glob("*/index.html"))
    assert len(pages) == items + 1  # and the new item of the one-new run
    stored = feedparser.parse((tmp_path / "feeder" / "feeds" / "kazakhstan.atom").read_bytes())
    tagged = feedparser.parse((public / "tags" / "kazakhstan" / "index.xml").read_bytes())
    assert tagged.entries and len(tagged.entries) >= len(stored.entries) > 0
    table = render(ours, theirs, items)
    assert f"{items} items" in table and "cold |" in table and "output |" in table
