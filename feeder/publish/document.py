"""What a feed says, whatever its format: one `FeedDocument` built from stored items
feeds Atom and RSS (feedgen), JSON Feed and the HTML view alike, so the formats
cannot drift apart. The feed of everything (and a search) carries each item's full
text; a topic feed carries its lead as a summary and links to where the text is."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from feeder.config import ALL_FEED
from feeder.model import FeedContent, Site, StoredItem
from feeder.normalize import shorten
from feeder.publish.entry_times import entry_times
from feeder.publish.layout import ARCHIVE_VIEW, FEED_VIEWS, SEARCH

# An empty feed still needs an `updated`; a fixed instant keeps it byte-stable.
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
# How long an entry's summary may be: a lead paragraph or so, cut at a word.
SUMMARY_LENGTH = 300


@dataclass(frozen=True)
class Category:
    """A label on an entry: one of feeder's topics (with `scheme`; "" in archives,
    where a topic is told by its label alone) or the source's own."""

    term: str
    label: str
    scheme: str | None = None


@dataclass(frozen=True)
class FeedEntry:
    """One item as every feed format shows it."""

    id: str
    title: str
    url: str
    published: datetime | None  # None in an archive where `updated` says it
    updated: datetime
    summary: str  # plain text
    content_html: str  # "" in a summary feed: readers show the summary, open the link
    categories: tuple[Category, ...]
    author: str | None

    @property
    def topics(self) -> list[Category]:
        return [c for c in self.categories if c.scheme is not None]


@dataclass(frozen=True)
class FeedDocument:
    """One feed document: a subscription feed (newest entries) or an RFC 5005 archive."""

    slug: str
    id: str
    title: str
    subtitle: str
    home_url: str
    author: str  # the site: who publishes the feed
    urls: Mapping[str, str]  # this document in each format it is published in
    updated: datetime
    entries: tuple[FeedEntry, ...]
    total: int  # items in the whole feed, not only these entries
    hub: str | None = None  # WebSub
    prev_archive: str | None = None
    next_archive: str | None = None
    current: str | None = None  # on an archive: the subscription feed it belongs to
    search: str | None = None  # on a search feed: the words searched for

    @property
    def is_archive(self) -> bool:
        return self.current is not None


def carries_full_text(slug: str) -> bool:
    """Whether the entries of feed `slug` (its subscription document, its archive
    pages) carry each item's full text: only the feed of everything and a search.
    A topic feed repeats items the `all` feed already carries in full, so it carries
    their summary and link, and stays a fraction of the size."""
    return slug in (ALL_FEED, SEARCH)


def summary_text(item: StoredItem) -> str:
    """The entry's summary, plain text: its lead paragraph (else its title) cut at a
    word boundary to about `SUMMARY_LENGTH` characters, ending in an ellipsis if cut."""
    return shorten(item.summary or item.title, SUMMARY_LENGTH)


def content_html(item: StoredItem) -> str:
    """The item's body as HTML paragraphs and subheadings, all text escaped."""
    tags = {"p": "p", "h": "h3"}
    return "\n".join(
        f"<{tags[b.kind]}>{html.escape(b.text, quote=False)}</{tags[b.kind]}>" for b in item.blocks
    )


def also_reported_html(
    site: Site, item: StoredItem, page_of: Callable[[str], str] | None = None
) -> str:
    """The story's other reports ("Also reported:"), each with its source and date,
    linking to its own page on the web, else to its permalink page (`page_of` a key;
    by default the absolute URL)."""
    if not item.also:
        return ""
    page_of = page_of or site.item_url
    rows = "".join(
        f'<li><a href="{html.escape(other.link or page_of(other.key))}">'
        f"{html.escape(other.title, quote=False)}</a> ({html.escape(other.source, quote=False)}, "
        f"{site.day_of(other.published).isoformat()})</li>\n"
        for other in item.also
    )
    return f"<p>Also reported:</p>\n<ul>\n{rows}</ul>"


def feed_entry(
    site: Site,
    item: StoredItem,
    topic_titles: Mapping[str, str],
    updated: datetime | None = None,
    full_text: bool = True,
) -> FeedEntry:
    """`item` as a feed entry: its `tag:` id, its link, its summary, its topics then its
    own labels; `updated` as its document gives it (see `entry_times`), else as stored.
    With `full_text` (see `carries_full_text`) its body and its story's other reports
    as HTML; without, no content."""
    categories = [
        Category(slug, topic_titles.get(slug, slug), site.base_url) for slug in item.topics
    ]
    categories += [Category(label, label) for label in item.categories]
    return FeedEntry(
        id=site.tag(f"item/{item.key}"),
        title=item.title,
        # An item from the web links to its own page; others to their permalink page.
        url=item.link or site.item_url(item.key),
        published=item.published,
        updated=updated or item.updated,
        summary=summary_text(item),
        content_html=_full_text(site, item) if full_text else "",
        categories=tuple(categories),
        author=item.author,
    )


def _full_text(site: Site, item: StoredItem) -> str:
    body = content_html(item) or html.escape(item.title)
    also = also_reported_html(site, item)
    return f"{body}\n{also}" if also else body


def _entries(
    site: Site, feed: FeedContent, topic_titles: Mapping[str, str], archive: bool = False
) -> tuple[FeedEntry, ...]:
    full_text = carries_full_text(feed.slug)
    entries = (
        feed_entry(site, item, topic_titles, updated, full_text)
        for item, updated in zip(feed.items, entry_times(feed.items), strict=True)
    )
    if archive:
        # An archive page is the feed's history, read once by archive readers: an entry
        # is its title, time, topics and link. The `all` archive carries the full text
        # (without the lead again as a summary); a topic's archive carries no summary,
        # since the same entry in full is in the `all` archive and on its item page.
        # `published` is left out where `updated` says it (an item never edited), and
        # the topics' scheme address.
        # Subscription documents keep summaries (the `all` feed, full text) and both
        # times, for every reader.
        return tuple(
            replace(entry, summary="", published=None if _unedited(entry) else entry.published,
                    categories=tuple(_unnamed_scheme(c) for c in entry.categories))
            for entry in entries
        )  # fmt: skip
    return tuple(entries)


def _unnamed_scheme(category: Category) -> Category:
    """A topic without its scheme's address (a fifth of a topic archive's bytes): its
    label alone tells it from the source's own labels, which have none."""
    return category if category.scheme is None else replace(category, scheme="")


def _unedited(entry: FeedEntry) -> bool:
    """True when an entry's `updated` is its `published` but for the fraction of a
    second that keeps entries' times distinct (see `entry_times`)."""
    assert entry.published is not None
    return timedelta(0) <= entry.updated - entry.published < timedelta(seconds=1)


def _updated(items: Sequence[StoredItem]) -> datetime:
    # The content's time, never "now": unchanged content, unchanged bytes.
    return max(entry_times(items), default=EMPTY_FEED_UPDATED)


def feed_document(site: Site, feed: FeedContent, topic_titles: Mapping[str, str]) -> FeedDocument:
    """The subscription document of `feed`: the entries not archived yet, linking back
    to its newest archive page, if any."""
    query = f"?q={quote(feed.query, safe='')}" if feed.query is not None else ""
    prev_archive = site.archive_url(feed.slug, feed.archive) if feed.archive else None
    return FeedDocument(
        slug=feed.slug,
        id=site.tag(f"feed/{feed.slug}{query}"),
        title=feed.title,
        subtitle=f"{feed.title}: the newest {len(feed.items)} of {feed.total} items",
        home_url=site.base_url,
        author=site.title,
        urls={view: site.feed_url(feed.slug, view, feed.query) for view in FEED_VIEWS},
        updated=_updated(feed.items),
        entries=_entries(site, feed, topic_titles),
        total=feed.total,
        hub=site.hub,
        prev_archive=prev_archive,
        search=feed.query,
    )


def archive_document(
    site: Site, feed: FeedContent, page: int, topic_titles: Mapping[str, str]
) -> FeedDocument:
    """RFC 5005 archive page `page` of `feed` (1 = oldest): the entries it closed with
    (see `chain`), linked to the page before and to the current feed. No `next-archive`:
    the page's bytes then never depend on whether a newer page exists yet."""
    url = site.archive_url(feed.slug, page)
    return FeedDocument(
        slug=feed.slug,
        id=site.tag(f"feed/{feed.slug}/archive/page-{page}"),
        title=f"{feed.title} (archive page {page})",
        subtitle=f"{feed.title}: archive page {page}, {len(feed.items)} items",
        home_url=site.base_url,
        author=site.title,
        urls={ARCHIVE_VIEW: url},
        updated=_updated(feed.items),
        entries=_entries(site, feed, topic_titles, archive=True),
        total=len(feed.items),
        prev_archive=site.archive_url(feed.slug, page - 1) if page > 1 else None,
        current=site.feed_url(feed.slug, ARCHIVE_VIEW),
    )
