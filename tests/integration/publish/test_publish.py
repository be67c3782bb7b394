"""Published files, read back by real consumers: feedparser for the feeds, the
standard XML and HTML parsers for the OPML list and pages."""

from __future__ import annotations

import html
import io
import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from conftest import EXPECTED_TOPIC_COUNTS, SEED_ENTRIES, ManualClock, configure
from hypothesis import given, settings
from hypothesis import strategies as st

from feeder import load_settings, make_feeder
from feeder.model import Block, DateSource, FeedContent, ItemKind, ParsedItem, Site, StoredItem
from feeder.parse import SeedParser
from feeder.publish import PublishError, content_html, render_feed, write_if_changed
from feeder.publish.document import SUMMARY_LENGTH, summary_text
from feeder.publish.entry_times import key_offset

SITE = Site("Test news", "http://feeds.test/", "feeds.test,2026")


def read_feed(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(io.BytesIO(path.read_bytes()))
    assert not parsed.bozo, f"{path.name}: {parsed.get('bozo_exception')}"
    return parsed


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_every_feed_is_well_formed_with_expected_entry_counts(published: Path, fmt: str) -> None:
    expected = {"all": SEED_ENTRIES, **EXPECTED_TOPIC_COUNTS}
    for slug, count in expected.items():
        feed = read_feed(published / f"{slug}.{fmt}")
        assert len(feed.entries) == count, slug
        assert feed.version == ("atom10" if fmt == "atom" else "rss20")


def test_atom_entries_carry_id_dates_summary_topics_permalink_and_all_the_full_text(
    published: Path,
) -> None:
    feed = read_feed(published / "nato.atom")
    assert feed.feed.id == "tag:feeder.example,2026:feed/nato"
    assert any(
        link.rel == "self" and link.href == "http://127.0.0.1:8080/nato.atom"
        for link in feed.feed.links
    )
    entry = next(
        e for e in feed.entries if e.title.startswith("The CSTO Secretary General held press")
    )
    assert entry.id.startswith("tag:feeder.example,2026:item/")
    # Never edited: `updated` is its date plus its key's fraction of a second.
    offset = key_offset(entry.id.rsplit("/", 1)[1])
    assert entry.published == "2024-12-04T00:00:00+00:00"
    assert entry.updated == (datetime.fromisoformat(entry.published) + offset).isoformat()
    assert entry.link == f"http://127.0.0.1:8080/items/{entry.id.rsplit('/', 1)[1]}.html"
    # A topic feed: the lead as a summary, cut to about 300 characters, and no content.
    assert entry.summary.startswith("The CSTO Secretary General Imangali Tasmagambetov held")
    assert len(entry.summary) <= SUMMARY_LENGTH and "content" not in entry
    # The feed of everything carries the same entry with its full text.
    (full,) = (e for e in read_feed(published / "all.atom").entries if e.id == entry.id)
    assert full.summary == entry.summary
    assert "<h3>On the results of the CSTO CSC</h3>" in full.content[0].value
    assert {"nato", "belarus", "russia"} <= {tag.term for tag in entry.tags}


def test_rss_items_carry_guid_pubdate_author_and_categories(published: Path) -> None:
    feed = read_feed(published / "all.rss")
    entry = next(e for e in feed.entries if e.title.startswith("Stanislav Zas"))
    assert entry.id.startswith("tag:") and entry.guidislink is False
    assert entry.published_parsed[:3] == (2022, 5, 30)
    assert entry.author == "Nikita Vyatchanin"
    assert "Peacekeeping" in {tag.term for tag in entry.tags}
    assert feed.feed.link == "http://127.0.0.1:8080/"


def test_feed_updated_is_the_newest_entry_updated_never_now(published: Path) -> None:
    feed = read_feed(published / "nato.atom")
    assert feed.feed.updated_parsed == max(e.updated_parsed for e in feed.entries)


def test_feeds_list_newest_first(published: Path) -> None:
    feed = read_feed(published / "all.atom")
    dates = [e.published_parsed for e in feed.entries]
    assert dates == sorted(dates, reverse=True)


def test_entry_ids_are_identical_across_two_fresh_databases(
    workdir: Path, tmp_path_factory
) -> None:
    ids = []
    for n in range(2):
        out = tmp_path_factory.mktemp(f"run{n}")
        (out / "feeder.toml").write_text(
            f'[[sources]]\nname = "seeds"\npath = "{workdir / "seeds"}"\n'
        )
        clock = ManualClock(datetime(2026 + n, 1, 1, tzinfo=UTC))
        with make_feeder(load_settings(cwd=out), clock) as feeder:
            feeder.refresh()
        ids.append(sorted(e.id for e in read_feed(out / "feeds" / "all.atom").entries))
    assert ids[0] == ids[1] and len(ids[0]) == SEED_ENTRIES


def test_feed_size_caps_the_entries_but_not_the_count(workdir: Path, clock) -> None:
    # The older entries fill archive pages of 2 (half a feed), closed while the rest
    # would overflow the feed: 16 entries leave 4 in it (see test_archive).
    configure(workdir, "feed_size = 5\n")
    with make_feeder(load_settings(cwd=workdir), clock) as feeder:
        feeder.refresh()
    feed = read_feed(workdir / "feeds" / "all.atom")
    assert len(feed.entries) == 4 and f"of {SEED_ENTRIES} items" in feed.feed.subtitle


def test_empty_topic_feed_is_valid_and_stable(workdir: Path, clock) -> None:
    configure(workdir, '[topics.none]\ntitle = "Nothing"\nkeywords = ["zzzz"]\n')
    with make_feeder(load_settings(cwd=workdir), clock) as feeder:
        feeder.refresh()
    for fmt in ("atom", "rss"):
        assert read_feed(workdir / "feeds" / f"none.{fmt}").entries == []


def item(**changes: object) -> StoredItem:
    base = dict(
        key="k1",
        title="A title",
        blocks=(Block("p", "Body."),),
        kind=ItemKind.LISTING,
        published=datetime(2024, 1, 2, tzinfo=UTC),
        updated=datetime(2024, 1, 2, tzinfo=UTC),
        first_seen=datetime(2026, 1, 1, tzinfo=UTC),
        date_source=DateSource.EXPLICIT,
        author=None,
        topics=(),
    )
    return StoredItem(**(base | changes))


def test_markup_in_item_text_is_escaped_not_executed() -> None:
    hostile = item(title="<script>alert(1)</script>", blocks=(Block("p", "a < b & <b>c</b>"),))
    data = render_feed(SITE, FeedContent("all", "All", [hostile], 1), "atom", {})
    entry = feedparser.parse(io.BytesIO(data)).entries[0]
    assert "<script>" not in entry.content[0].value
    assert entry.content[0].value == "<p>a &lt; b &amp; &lt;b&gt;c&lt;/b&gt;</p>"


def test_a_topic_feed_carries_a_short_summary_and_the_all_feed_the_full_text() -> None:
    lead = "The council met in Minsk and agreed on a plan of joint measures. " * 8
    long = item(blocks=(Block("p", lead.strip()), Block("p", "More.")), topics=("nato",))
    topic = render_feed(SITE, FeedContent("nato", "NATO", [long], 1), "atom", {"nato": "NATO"})
    (entry,) = feedparser.parse(io.BytesIO(topic)).entries
    assert "content" not in entry and entry.link == SITE.item_url(long.key)
    assert entry.summary.endswith(" on…") and len(entry.summary) <= SUMMARY_LENGTH
    assert lead.startswith(entry.summary.removesuffix("…"))
    rss = render_feed(SITE, FeedContent("nato", "NATO", [long], 1), "rss", {"nato": "NATO"})
    (item_,) = feedparser.parse(io.BytesIO(rss)).entries
    assert item_.summary == entry.summary and "content" not in item_
    everything = render_feed(SITE, FeedContent("all", "All", [long], 1), "atom", {})
    (full,) = feedparser.parse(io.BytesIO(everything)).entries
    assert full.summary == entry.summary and full.content[0].value == content_html(long)


def test_rendering_is_deterministic() -> None:
    feed = FeedContent("all", "All", [item(), item(key="k2", title="B")], 2)
    for fmt in ("atom", "rss"):
        assert render_feed(SITE, feed, fmt, {}) == render_feed(SITE, feed, fmt, {})


def test_write_if_changed_leaves_identical_files_untouched(tmp_path: Path) -> None:
    path = tmp_path / "f.atom"
    assert write_if_changed(path, b"one") is True
    os.utime(path, ns=(1, 1))
    assert write_if_changed(path, b"one") is False
    assert path.stat().st_mtime_ns == 1
    assert write_if_changed(path, b"two") is True and path.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["f.atom"]  # no temp file left behind


def test_write_if_changed_replaces_atomically_and_cleans_up_on_failure(
    tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "f.atom"
    path.write_bytes(b"old complete feed")

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)  # the OS is outside our code
    with pytest.raises(PublishError, match=r"f\.atom"):
        write_if_changed(path, b"new feed")
    assert path.read_bytes() == b"old complete feed"
    assert [p.name for p in tmp_path.iterdir()] == ["f.atom"]


def _as_feedparser_reads(text: str) -> str:
    """`text` as feedparser returns it: it takes all-Latin-1 text that is valid UTF-8
    when encoded (`Â¡`) for mojibake and repairs it (feedparser/mixin.py, `pop`). The
    XML itself carries the text exactly; `_round_trip` checks that with lxml."""
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _round_trip(parsed: ParsedItem) -> None:
    """Render one parsed item in both formats and read it back with a strict XML
    parser and with feedparser."""
    stored = item(title=parsed.title, blocks=parsed.blocks, author=parsed.author)
    for fmt in ("atom", "rss"):
        data = render_feed(SITE, FeedContent("all", "All", [stored], 1), fmt, {})
        titles = [e.text for e in ET.fromstring(data).iter() if e.tag.endswith("title")]
        assert stored.title in titles
        feed = feedparser.parse(io.BytesIO(data))
        assert not feed.bozo, feed.get("bozo_exception")
        (entry,) = feed.entries
        assert entry.title == _as_feedparser_reads(stored.title)
        content = content_html(stored) or html.escape(stored.title)
        summary = summary_text(stored)
        if summary and fmt == "atom":
            assert entry.summary == _as_feedparser_reads(summary)
        elif summary:  # RSS: <description> is HTML
            assert html.unescape(entry.summary) == _as_feedparser_reads(summary)
        # RSS without a summary: feedgen puts the content in <description>.
        body = entry.content[0].value if "content" in entry else entry.summary
        assert body == _as_feedparser_reads(content)
        if stored.author:
            # Repaired or not, depending on the element feedparser reads it from.
            assert entry.author in (stored.author, _as_feedparser_reads(stored.author))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_whatever_the_parser_yields_survives_xml_and_feedparser_unchanged(text: str) -> None:
    for parsed in SeedParser().parse_text(f"01.02.2024\n\n{text}\n\n02.02.2024\n\n{text}").items:
        _round_trip(parsed)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, database=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1))
def test_fuzz_feed_output_with_arbitrary_text(text: str) -> None:
    capture = f"Some title line\n\nSome title line 01.02.2024\n\nAuthor: {text}\n\n{text}\n"
    for parsed in SeedParser().parse_text(capture).items:
        _round_trip(parsed)


def test_files_of_a_removed_feed_go_and_other_files_stay(workdir: Path, clock) -> None:
    settings = load_settings(cwd=workdir)
    feeds = settings.feeds_dir
    feeds.mkdir()
    (feeds / "about.html").write_text("mine")
    (feeds / "manifest.json").write_text("{}")
    with make_feeder(settings, clock) as feeder:
        feeder.refresh()
    assert {p.name for p in feeds.glob("nato.*")} == {
        "nato.atom",
        "nato.rss",
        "nato.json",
        "nato.html",
    }
    topics = {slug: t for slug, t in settings.topics.items() if slug != "nato"}
    with make_feeder(settings.model_copy(update={"topics": topics}), clock) as feeder:
        feeder.refresh()
    assert list(feeds.glob("nato.*")) == []
    assert (feeds / "about.html").read_text() == "mine" and (feeds / "manifest.json").exists()
    assert (feeds / ".feeder-published.json").exists()


def test_the_front_page_is_the_same_whether_one_feed_or_every_feed_was_rendered(
    workdir: Path, clock: ManualClock
) -> None:
    # A refresh that changes one topic reads only that topic's feed in full; the front
    # page still shows every topic's total and newest entry as a full render does.
    with make_feeder(load_settings(cwd=workdir), clock) as feeder:
        feeder.refresh()
        (workdir / "seeds" / "zz-new.txt").write_text(
            "24.11.2026\n\nThe Armenian delegation discussed border security in Yerevan.\n",
            encoding="utf-8",
        )
        clock.advance(hours=1)
        summary = feeder.refresh()
        assert summary.items_new == 1 and 0 < summary.feeds_rendered < 16 * 4
        feeds = feeder.settings.feeds_dir
        after_one = (feeds / "index.html").read_bytes()
        (feeds / ".feeder-published.json").unlink()  # the next publish renders everything
        clock.advance(hours=1)
        assert feeder.refresh().feeds_rendered == 16 * 4
        assert (feeds / "index.html").read_bytes() == after_one
