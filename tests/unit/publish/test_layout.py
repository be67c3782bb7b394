"""The output layout: every name the publisher writes is served, with its media type,
and nothing else is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeder.publish import layout
from feeder.web.negotiation import FEED_TYPES, negotiate

slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True)
keys = st.from_regex(r"[0-9a-f]{24}", fullmatch=True)
pages = st.integers(min_value=1, max_value=10**6)


@pytest.mark.parametrize("view", layout.VIEWS, ids=lambda view: view.name)
def test_every_view_is_served_with_its_media_type(view: layout.View) -> None:
    name = layout.feed_path("nato", view.name)
    assert layout.SERVED_NAME.fullmatch(name)
    assert layout.content_type(name) == view.content_type
    assert view.content_type.split(";")[0] == view.media_type


@pytest.mark.parametrize("fmt", layout.FEED_FORMATS)
def test_every_feed_format_is_negotiated_by_its_own_media_type_first(fmt: str) -> None:
    assert FEED_TYPES[fmt][0] == layout.VIEW[fmt].media_type
    assert negotiate(layout.feed_path("nato", fmt), layout.VIEW[fmt].media_type) == (
        layout.feed_path("nato", fmt),
        True,
    )
    assert negotiate(layout.feed_path("nato", fmt), "text/html") == ("nato.html", True)


def test_the_pages_and_archives_are_served_with_their_media_types() -> None:
    assert layout.content_type(layout.INDEX) == "text/html; charset=utf-8"
    assert layout.content_type(layout.OPML) == "text/x-opml; charset=utf-8"
    assert layout.content_type(layout.STYLESHEET) == "text/css; charset=utf-8"
    assert layout.content_type(layout.item_path("0" * 24)) == "text/html; charset=utf-8"
    assert layout.content_type(layout.archive_path("all", 3)) == (
        "application/atom+xml; charset=utf-8"
    )


@given(slugs, st.sampled_from(layout.FEED_VIEWS), keys, pages)
def test_the_matcher_accepts_every_name_the_layout_builds(
    slug: str, view: str, key: str, page: int
) -> None:
    for name in (
        layout.feed_path(slug, view),
        layout.item_path(key),
        layout.archive_path(slug, page),
        layout.INDEX,
        layout.OPML,
        layout.STYLESHEET,
    ):
        assert layout.SERVED_NAME.fullmatch(name), name
        assert layout.content_type(name) is not None, name
    feed = layout.FEED_NAME.fullmatch(layout.feed_path(slug, view))
    assert feed is not None and (feed["slug"], feed["view"]) == (slug, view)
    archive = layout.ARCHIVE_NAME.fullmatch(layout.archive_path(slug, page))
    assert archive is not None and (archive["slug"], int(archive["page"])) == (slug, page)
    assert layout.ITEM_NAME.fullmatch(layout.item_path(key))


@pytest.mark.parametrize(
    "name",
    [
        layout.archive_manifest("all"),  # the archive's record, not a document
        "archive/all/.periods.json",
        "archive/all/2024-05.atom",  # a monthly archive of feeder 0.x: redirected, not served
        "archive/all/page-0.atom",
        "archive/all/page-01.atom",
        "archive/all/page-1.rss",
        "archive/../feeder.db/page-1.atom",
        ".feeder-published.json",
        ".all.atom.feeder-12-0123abcd-89abcdef.tmp",
        "items/0123456789abcdef0123456.html",  # 23 digits
        "items/0123456789ABCDEF01234567.html",
        "items/0123456789abcdef01234567.atom",
        "all.xml",
        "All.atom",
        "-all.atom",
        "all.atom/",
        "all.atom\n",
        "../all.atom",
        "nested/all.atom",
        "feeds.opml.bak",
        "items/style.css",  # the one stylesheet sits at the root only
        "styles.css",
        "feeder.toml",
        "",
    ],
)
def test_the_matcher_refuses_every_other_name(name: str) -> None:
    assert not layout.SERVED_NAME.fullmatch(name)


def test_urls_are_the_paths_below_the_base_url() -> None:
    base = "https://news.example.org/feeds/"
    assert layout.feed_url(base, "nato", "rss") == f"{base}nato.rss"
    assert layout.feed_url(base, "search", "atom", "a & b") == f"{base}search.atom?q=a+%26+b"
    assert layout.item_url(base, "f" * 24) == f"{base}items/{'f' * 24}.html"
    assert layout.archive_url(base, "nato", 2) == f"{base}archive/nato/page-2.atom"
