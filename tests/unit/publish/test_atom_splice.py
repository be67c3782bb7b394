"""Archive pages from entries rendered once: the same bytes feedgen writes for the
whole document, whatever the entries hold, and each entry rendered once however many
documents hold it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from feeder.publish.atom_rss import RenderedEntries, render_atom_or_rss, render_atom_spliced
from feeder.publish.document import Category, FeedDocument, FeedEntry

AT = datetime(2026, 11, 1, tzinfo=UTC)


def entry(n: int, **changes: object) -> FeedEntry:
    base = FeedEntry(
        id=f"tag:feeder.example,2026:item/k{n}",
        title=f'Meeting {n} in Minsk & <Astana> "quoted"',
        url=f"http://127.0.0.1:8080/items/k{n}.html",
        published=AT + timedelta(days=n),
        updated=AT + timedelta(days=n, microseconds=n * 7),
        summary=f"Lead of {n}: a < b & c > d. Ünïcödé — «ок»",
        content_html=f"<p>Body {n} &amp; more</p>\n<h3>Sub</h3>\n<ul>\n<li>x</li>\n</ul>",
        categories=(
            Category("nato", "NATO", "http://127.0.0.1:8080/"),
            Category("Politics & war", "Politics & war"),
        ),
        author="Press service",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


ENTRIES = (
    entry(1),
    entry(2, summary="", author=None),
    entry(3, content_html="", categories=()),  # a topic's summary entry
    entry(4, title="  spaced\ttitle\n", content_html="line one\n\n  line two  \n"),
    entry(5, summary="x" * 400, categories=(Category("t", "T"),)),
)


def document(entries: tuple[FeedEntry, ...], archive: bool = True) -> FeedDocument:
    url = "http://127.0.0.1:8080/archive/all/page-2.atom"
    return FeedDocument(
        slug="all",
        id="tag:feeder.example,2026:feed/all/archive/page-2",
        title="Site (archive page 2)",
        subtitle=f"Site: archive page 2, {len(entries)} items",
        home_url="http://127.0.0.1:8080/",
        author="Site",
        urls={"atom": url},
        updated=AT,
        entries=entries,
        total=len(entries),
        prev_archive="http://127.0.0.1:8080/archive/all/page-1.atom" if archive else None,
        current="http://127.0.0.1:8080/all.atom" if archive else None,
    )


@pytest.mark.parametrize("archive", [True, False])
@pytest.mark.parametrize("count", [0, 1, len(ENTRIES)])
def test_a_spliced_document_is_byte_identical_to_feedgens(archive: bool, count: int) -> None:
    doc = document(ENTRIES[:count], archive)
    assert render_atom_spliced(doc, RenderedEntries()) == render_atom_or_rss(doc, "atom")


def test_an_entry_in_several_documents_is_rendered_once() -> None:
    rendered = RenderedEntries()
    first, second = document(ENTRIES[:3]), document(ENTRIES[1:])
    for doc in (first, second, first):
        assert render_atom_spliced(doc, rendered) == render_atom_or_rss(doc, "atom")
    assert rendered.rendered == len(ENTRIES)
    assert rendered.reused == 3 + 4 + 3 - len(ENTRIES)


def test_an_entry_differing_in_anything_is_rendered_apart() -> None:
    rendered = RenderedEntries()
    full, summary = entry(1), entry(1, content_html="")
    rendered.atom(full)
    assert rendered.atom(summary) != rendered.atom(full)
    assert rendered.rendered == 2


def test_the_cache_keeps_only_the_most_recently_used_entries() -> None:
    rendered = RenderedEntries(size=2)
    for e in (ENTRIES[0], ENTRIES[1], ENTRIES[0], ENTRIES[2], ENTRIES[0], ENTRIES[1]):
        rendered.atom(e)
    # 0 and 1 rendered; 0 reused; 2 pushes out 1; 0 reused; 1 rendered again.
    assert (rendered.rendered, rendered.reused) == (4, 2)
