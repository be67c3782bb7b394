"""The web part of a refresh: fetch one web source and parse what came back.

    web_state (validators, Retry-After) | WebFetcher.fetch (conditional, guarded)
      | parse_feed / SeedParser / parse_listing (+ followed pages)  -> WebRead

Nothing here writes: the refresh stores the items and the new state together,
so a crash never records a fetch whose items were not committed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from threading import Event

from feeder.backoff import retry_after
from feeder.config import (
    FeedSourceConfig,
    HtmlSourceConfig,
    Settings,
    TextSourceConfig,
    WebSourceConfig,
)
from feeder.errors import FetchError, RefreshCancelled
from feeder.model import Block, ParsedItem, RefreshSummary, WebState, source_message
from feeder.normalize import mask_url
from feeder.parse import ParseError, SeedParser
from feeder.parse.feed import parse_feed
from feeder.parse.html import charset_of, page_paragraphs, parse_listing
from feeder.refresh.context import USER_AGENT
from feeder.refresh.decider import take_new_items
from feeder.sources.web import Fetched, WebFetcher
from feeder.store import Storage


@dataclass
class WebRead:
    """What fetching one web source produced: items to store (None when nothing new),
    the state to save with them, and what to report."""

    state: WebState
    items: list[ParsedItem] | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    paused: bool = False  # not fetched: the server asked to wait (Retry-After)
    deferred: int = 0  # new items over `max_new_items`, left for the next fetches


def read_web_sources(
    store: Storage,
    settings: Settings,
    sources: list[WebSourceConfig],
    fetcher: WebFetcher | None,
    now: datetime,
    summary: RefreshSummary,
    cancel: Event,
) -> list[tuple[WebSourceConfig, WebRead]]:
    """Fetch and parse each web source in turn (with `fetcher`, or a client made for
    these), counting fetches and reporting failures in `summary`."""
    own = fetcher is None
    client = fetcher or WebFetcher(USER_AGENT)
    reads = []
    try:
        for source in sources:
            if cancel.is_set():
                raise RefreshCancelled("cancelled while fetching web sources")
            read = read_web_source(
                source, client, store.web_state(source.name), store.known_keys, now,
                settings.allow_private_networks,
            )  # fmt: skip
            summary.warnings += [source_message(source.name, w) for w in read.warnings]
            summary.items_deferred += read.deferred
            if read.error:
                summary.fetches_failed += 1
                summary.add_error(source.name, read.error)
                summary.failed_sources[source.name] = source_message(source.name, read.error)
            elif read.items is None:
                summary.fetches_unchanged += 1
            else:
                summary.fetches += 1
            reads.append((source, read))
    finally:
        if own:
            client.close()
    return reads


def read_web_source(
    source: WebSourceConfig,
    fetcher: WebFetcher,
    state: WebState,
    known: Callable[[list[str]], set[str]],
    now: datetime,
    allow_private: bool,
) -> WebRead:
    """Fetch and parse `source`; every failure becomes `WebRead.error`, never an exception."""
    if state.retry_after and now < state.retry_after:
        until = f"{state.retry_after:%Y-%m-%d %H:%M:%S} UTC"
        notice = f"not polled until {until} (Retry-After)"
        return WebRead(state, warnings=[notice], paused=True)
    allowed = (
        allow_private if source.allow_private_networks is None else source.allow_private_networks
    )
    try:
        fetched = fetcher.fetch(
            source.url,
            max_bytes=source.max_bytes,
            deadline=source.timeout,
            allow_private=allowed,
            etag=state.etag,
            last_modified=state.last_modified,
        )
    except FetchError as exc:
        pause = retry_after(exc.retry_after, now)  # read against the refresh's own clock
        return WebRead(replace(state, retry_after=pause), error=str(exc))
    if fetched.not_modified:
        return WebRead(replace(state, retry_after=None))
    digest = hashlib.sha256(fetched.body).hexdigest()
    fresh = WebState(fetched.etag, fetched.last_modified, digest, None)
    if digest == state.sha256:
        return WebRead(fresh)  # same bytes as last time: nothing to parse
    shown = mask_url(fetched.url)
    try:
        items, warnings = _parse(source, fetched)
    except ParseError as exc:
        # The old state stays, so the next poll fetches and tries again in full.
        return WebRead(replace(state, retry_after=None), error=f"{shown}: {exc}")
    except Exception as exc:  # a parser bug must not cost the other sources
        return WebRead(state, error=f"{shown}: parser failed: {type(exc).__name__}: {exc}")
    items, deferred = take_new_items(items, _known(known, items), source.max_new_items)
    if deferred:
        # No validators and no digest: the next poll fetches and reads the feed again,
        # and takes the next of its new items.
        fresh = WebState()
        warnings.append(
            f"{deferred} more new items than max_new_items ({source.max_new_items}) "
            "allows in one fetch; they are taken on the next fetches, oldest first"
        )
    if isinstance(source, HtmlSourceConfig) and source.follow_links:
        items, followed_warnings = _follow_links(source, fetcher, items, known, allowed)
        warnings += followed_warnings
    shown_warnings = [f"{shown}: {w}" for w in warnings]
    return WebRead(fresh, items, warnings=shown_warnings, deferred=deferred)


def _known(known: Callable[[list[str]], set[str]], items: list[ParsedItem]) -> set[str]:
    """Which of `items` are stored (or removed), asked a bounded batch of keys at a time."""
    keys = list(dict.fromkeys(item.key for item in items))
    found: set[str] = set()
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        found |= known(keys[start : start + _KEYS_PER_QUERY])
    return found


_KEYS_PER_QUERY = 500


def _parse(source: WebSourceConfig, fetched: Fetched) -> tuple[list[ParsedItem], list[str]]:
    charset = charset_of(fetched.content_type)
    if isinstance(source, FeedSourceConfig):
        result = parse_feed(fetched.body, source.name, fetched.url, charset)
    elif isinstance(source, TextSourceConfig):
        body = fetched.body.decode(charset, "replace").encode() if charset else fetched.body
        result = SeedParser().parse_bytes(body)
    else:
        result = parse_listing(fetched.body, fetched.url, source.selectors, charset)
    return result.items, list(result.warnings)


def _follow_links(
    source: HtmlSourceConfig,
    fetcher: WebFetcher,
    items: list[ParsedItem],
    known: Callable[[list[str]], set[str]],
    allowed: bool,
) -> tuple[list[ParsedItem], list[str]]:
    """Each new item's page is fetched once for its full text. Stored items are left
    out: their text came from their page, and the listing's summary must not replace it."""
    stored = _known(known, items)
    out, warnings = [], []
    for item in items:
        if item.key in stored:
            continue
        if not item.link:
            out.append(item)
            continue
        try:
            page = fetcher.fetch(
                item.link,
                max_bytes=source.max_bytes,
                deadline=source.timeout,
                allow_private=allowed,
            )
            texts = page_paragraphs(page.body, source.content, charset_of(page.content_type))
        except (FetchError, ParseError) as exc:
            warnings.append(f"{item.title!r}: its page could not be read ({exc}); kept the summary")
            out.append(item)
            continue
        out.append(replace(item, blocks=tuple(Block("p", t) for t in texts)) if texts else item)
    return out, warnings
