"""Feeds served from the database: rendered and cached per feed under its version,
so every worker sharing a database answers any feed with the same bytes and ETag,
whether or not it wrote `feeds/`; and the ASGI front that answers a poll of a feed
known current from memory."""

from __future__ import annotations

import threading
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from feeder.core import Feeder
from feeder.publish import render_feed
from feeder.publish.layout import FEED_NAME, VIEW
from feeder.web.caching import CACHE_FEEDS, VARY_FEEDS
from feeder.web.conditional import Resource, conditional_answer
from feeder.web.negotiation import negotiate

# How long other requests keep a feed's cached bytes while one confirms its version.
_CONFIRM_PATIENCE = 5.0


class StoredFeeds:
    """Feeds rendered from the database, each cached until its version moves.

    `get` always asks the database for the feed's version (one indexed row); `current`
    answers from memory alone, with what `get` confirmed within the last `recheck`
    seconds and before this process's latest refresh, so a hot feed costs the database
    one query a second, and a change made elsewhere (another worker, a `feeder refresh`
    beside the service) is served within that second.
    """

    def __init__(self, feeder: Feeder, recheck: float = 1.0) -> None:
        self.feeder = feeder
        self.recheck = recheck
        self.names = set(feeder.feed_names())
        self.titles = {t.slug: t.title for t in feeder.settings.topic_list()}
        # name -> ((version, month), resource, monotonic time confirmed, refreshes seen
        # then); a new month moves a feed too (its current month's items stay in it).
        self._cache: dict[str, tuple[tuple[int, str], Resource, float, int]] = {}
        self._confirming: dict[str, float] = {}  # name -> when a caller went to confirm it
        self._lock = threading.Lock()

    def current(self, name: str) -> Resource | None:
        """The cached feed `name` if confirmed current lately, else None (ask `get`).

        When a check is due (past `recheck`, or after a refresh in this process), one
        caller gets None and confirms through `get`, while the others keep the cached
        bytes for the moment that takes: a busy feed does not send every waiting
        request to the database, or to render the same feed, at once.
        """
        entry = self._cache.get(name)
        if entry is None:
            return None
        now = time.monotonic()
        if now - entry[2] <= self.recheck and entry[3] == self.feeder.refreshes:
            return entry[1]
        with self._lock:
            claimed = self._confirming.get(name)
            if claimed is None or now - claimed > _CONFIRM_PATIENCE:
                self._confirming[name] = now
                return None
        return entry[1]

    def get(self, name: str) -> Resource | None:
        """The feed `name` (`<slug>.atom`, `.rss`, `.json` or `.html`); None if no such
        feed. Raises
        `StoreError` when the database cannot be read."""
        match = FEED_NAME.fullmatch(name)
        if match is None or match["slug"] not in self.names:
            return None
        try:
            return self._confirm(name, match["slug"], match["view"])
        finally:  # released only once the entry is stored (or the check failed)
            with self._lock:
                self._confirming.pop(name, None)

    def _confirm(self, name: str, slug: str, view: str) -> Resource:
        refreshes = self.feeder.refreshes  # read before the version: never newer than it
        number, changed_at = self.feeder.feed_version(slug)
        version = (number, self.feeder.site.period_of(self.feeder.now()))
        confirmed = time.monotonic()
        with self._lock:
            cached = self._cache.get(name)
            if cached and cached[0] == version:
                self._cache[name] = (version, cached[1], confirmed, refreshes)
                return cached[1]
        # Read after the version: the content is at least that new, so a cache entry
        # is never older than its key (at worst one extra render).
        site = self.feeder.site
        body = render_feed(site, self.feeder.feed(slug), view, self.titles)
        changed = changed_at.timestamp() if changed_at else None
        # WebSub discovery by header too: a JSON feed has no <link> elements.
        link = (
            f'<{site.hub}>; rel="hub", <{site.feed_url(slug, view)}>; rel="self"'
            if site.hub and VIEW[view].feed
            else None
        )
        resource = Resource.of(body, VIEW[view].content_type, changed, CACHE_FEEDS, link)
        with self._lock:
            self._cache[name] = (version, resource, confirmed, refreshes)
        return resource


# The request headers `conditional_answer` reads.
_CONDITIONAL_HEADERS = frozenset({b"accept-encoding", b"if-none-match", b"if-modified-since"})
_ACCEPT = b"accept"


class AnswerCurrentFeeds:
    """ASGI front: a GET or HEAD of a feed whose rendered bytes are known current
    (`StoredFeeds.current`) is answered from memory on the event loop, without routing
    or a worker thread; every other request goes on to `app`. Feed polling is most of
    a feed server's traffic, and most of it ends in a 304."""

    def __init__(self, app: ASGIApp, feeds: StoredFeeds) -> None:
        self.app, self.feeds = app, feeds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and not scope["query_string"]
        ):
            accept = ", ".join(
                value.decode("latin-1") for name, value in scope["headers"] if name == _ACCEPT
            )
            name, negotiated = negotiate(scope["path"][1:], accept)
            resource = self.feeds.current(name)
            if resource is not None:
                headers = {
                    name.decode("latin-1"): value.decode("latin-1")
                    for name, value in scope["headers"]
                    if name in _CONDITIONAL_HEADERS
                }
                status, answer, body = conditional_answer(
                    scope["method"],
                    headers,
                    resource,
                    time.time(),
                    VARY_FEEDS if negotiated else "Accept-Encoding",
                )
                await send(
                    {
                        "type": "http.response.start",
                        "status": status,
                        "headers": [(k.encode(), v.encode()) for k, v in answer.items()],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
