"""HTTP (Starlette): the feeds, the published pages, a search feed, health and metrics.

Read-only: requests never refresh anything. Feeds are rendered from the database and
cached per feed under its version, so every worker sharing a database answers any
feed with the same bytes and ETag, whether or not it wrote `feeds/`. The other pages
come from `feeds/`; a browser opening a feed or archive URL gets its HTML view. Only
names the publisher writes are served (an allow-list, so no path can reach outside
`feeds/`), each with a strong ETag and Last-Modified, 304s, and a cached gzip form.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from feeder.core import Feeder
from feeder.model import FeedContent, Site
from feeder.publish import FEED_VIEWS, render_feed
from feeder.service.health import SourceHealth, health_report
from feeder.store import SearchQueryError, StoreError
from feeder.web.archive_page import ArchivePageError, render_archive_page
from feeder.web.conditional import (
    Resource,
    conditional_answer,
    respond,
)
from feeder.web.metrics import Metrics
from feeder.web.negotiation import FEED_NAME, FEED_TYPES, negotiate, wants_html
from feeder.web.search import BadSearch, bad_search, search_terms

log = logging.getLogger("feeder.web.app")

ARCHIVE_NAME = re.compile(r"archive/(?P<slug>[a-z0-9][a-z0-9-]*)/page-(?P<page>[1-9][0-9]*)\.atom")
# The monthly archives of earlier versions: their URLs now lead to the feed, from which
# `prev-archive` reaches every item.
MONTH_ARCHIVE_NAME = re.compile(r"archive/(?P<slug>[a-z0-9][a-z0-9-]*)/[0-9]{4}-[0-9]{2}\.atom")
PUBLISHED_NAME = re.compile(
    r"[a-z0-9][a-z0-9-]*\.(?:atom|rss|json|html)|feeds\.opml|items/[0-9a-f]{24}\.html"
    rf"|{ARCHIVE_NAME.pattern}"
)
MEDIA_TYPES = {
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
}
# Feeds change at most once a refresh; ETags make revalidation after that cheap.
CACHE_FEEDS = "public, max-age=300"
CACHE_ITEM_PAGES = "public, max-age=3600"
CACHE_SEARCH = "public, max-age=60"
_CACHED_FILES = 512
# How long other requests keep a feed's cached bytes while one confirms its version.
_CONFIRM_PATIENCE = 5.0
VARY_FEEDS = "Accept, Accept-Encoding"


class Monitoring(Protocol):
    """What the HTTP layer needs from the scheduler (see `schedule.Monitor`)."""

    def start(self) -> None: ...
    def stop(self) -> bool: ...
    def health(self) -> list[SourceHealth]: ...


class PublishedFiles:
    """The files in `feeds/` by URL path, read and hashed once per change of the file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: OrderedDict[str, tuple[tuple[int, int, int], Resource]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str) -> Resource | None:
        if not PUBLISHED_NAME.fullmatch(name):
            return None
        path = self.root / name
        try:
            info = path.stat()
        except OSError:
            return None
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        with self._lock:
            cached = self._cache.get(name)
            if cached and cached[0] == stamp:
                self._cache.move_to_end(name)
                return cached[1]
        try:
            body = path.read_bytes()
        except OSError:
            return None
        cache_control = CACHE_ITEM_PAGES if name.startswith("items/") else CACHE_FEEDS
        resource = Resource.of(body, MEDIA_TYPES[path.suffix], info.st_mtime, cache_control)
        with self._lock:
            self._cache[name] = (stamp, resource)
            if len(self._cache) > _CACHED_FILES:
                self._cache.popitem(last=False)
        return resource


class ArchivePages:
    """The HTML view of each archive document, rendered from its file in `feeds/` and
    kept until that file changes (RFC 5005 archives have no page of their own)."""

    def __init__(self, files: PublishedFiles, site: Site) -> None:
        self.files, self.site = files, site
        self._cache: OrderedDict[str, tuple[Resource, bool, Resource]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str) -> Resource | None:
        """The page of the archive at `name` (`archive/<slug>/page-<n>.atom`); None if
        there is no such archive or its file cannot be read as Atom."""
        match = ARCHIVE_NAME.fullmatch(name)
        atom = self.files.get(name) if match else None
        if match is None or atom is None:
            return None
        number = int(match["page"])
        # Whether a newer page exists decides the page's "newer items" link.
        newer = self.files.get(f"archive/{match['slug']}/page-{number + 1}.atom") is not None
        with self._lock:
            cached = self._cache.get(name)
            if cached and cached[0] is atom and cached[1] == newer:
                self._cache.move_to_end(name)
                return cached[2]
        try:
            body = render_archive_page(self.site, match["slug"], number, atom.identity.body, newer)
        except ArchivePageError as exc:
            log.warning("%s", exc)
            return None
        page = Resource.of(body, MEDIA_TYPES[".html"], atom.last_modified, atom.cache_control)
        with self._lock:
            self._cache[name] = (atom, newer, page)
            if len(self._cache) > _CACHED_FILES:
                self._cache.popitem(last=False)
        return page


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
            return self._confirm(name, match["slug"], match["fmt"])
        finally:  # released only once the entry is stored (or the check failed)
            with self._lock:
                self._confirming.pop(name, None)

    def _confirm(self, name: str, slug: str, fmt: str) -> Resource:
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
        body = render_feed(site, self.feeder.feed(slug), fmt, self.titles)
        changed = changed_at.timestamp() if changed_at else None
        # WebSub discovery by header too: a JSON feed has no <link> elements.
        link = (
            f'<{site.hub}>; rel="hub", <{site.feed_url(slug, fmt)}>; rel="self"'
            if site.hub and fmt != "html"
            else None
        )
        resource = Resource.of(body, MEDIA_TYPES[f".{fmt}"], changed, CACHE_FEEDS, link)
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


class CountRequests:
    """ASGI middleware counting answered requests by status for `/metrics`."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self.metrics.http_requests.labels(str(status)).inc()


def make_app(feeder: Feeder, metrics: Metrics, monitor: Monitoring | None = None) -> ASGIApp:
    """The service's ASGI app. With a `monitor`, its lifespan starts and stops the scheduler."""
    files = PublishedFiles(feeder.settings.feeds_dir)
    feeds = StoredFeeds(feeder)
    site = feeder.site
    archive_pages = ArchivePages(files, site)
    titles = {t.slug: t.title for t in feeder.settings.topic_list()}
    intervals = {source.name: source.interval for source in feeder.settings.sources}

    def published(request: Request) -> Response:
        name = request.path_params.get("name") or "index.html"
        # The route's pattern tolerates a trailing newline; the served name must be exact.
        exact = request.scope["path"] in ("/", f"/{name}")
        if not exact:
            return PlainTextResponse("not found\n", status_code=404)
        accept = ", ".join(request.headers.getlist("accept"))
        month = MONTH_ARCHIVE_NAME.fullmatch(name)
        if month and month["slug"] in feeds.names:
            return RedirectResponse(site.feed_url(month["slug"], "atom"), status_code=301)
        if ARCHIVE_NAME.fullmatch(name):  # negotiated like a feed: a browser gets a page
            page = archive_pages.get(name) if wants_html(accept, "atom") else None
            resource = page or files.get(name)
            if resource is None:
                return PlainTextResponse("not found\n", status_code=404)
            return respond(request, resource, VARY_FEEDS)
        name, negotiated = negotiate(name, accept)
        try:
            resource = feeds.get(name)
        except StoreError as exc:  # the file written at the last refresh will do
            log.warning("serving %s from feeds/: %s", name, exc)
            resource = None
        if resource is None:
            resource = files.get(name)
        if resource is None:
            return PlainTextResponse("not found\n", status_code=404)
        return respond(request, resource, VARY_FEEDS if negotiated else "Accept-Encoding")

    def search(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in FEED_VIEWS:
            return PlainTextResponse("not found\n", status_code=404)
        negotiated = fmt in FEED_TYPES
        vary = VARY_FEEDS if negotiated else "Accept-Encoding"
        if wants_html(", ".join(request.headers.getlist("accept")), fmt):
            fmt = "html"
        try:
            query, limit = search_terms(request.query_params)
            items = feeder.search(query, limit)
        except (BadSearch, SearchQueryError) as exc:
            typed = request.query_params.get("q", "")
            return bad_search(site, typed, str(exc), fmt == "html", vary)
        feed = FeedContent("search", f"{site.title}: search for {query}", items, len(items), query)
        body = render_feed(site, feed, fmt, titles)
        # No Last-Modified: a new back-dated item would not move it. The ETag covers it.
        resource = Resource.of(body, MEDIA_TYPES[f".{fmt}"], None, CACHE_SEARCH)
        return respond(request, resource, vary)

    def health(request: Request) -> Response:
        # Judged against the configured interval too, which back-off does not stretch.
        sources = [
            replace(source, configured_interval=intervals.get(source.name))
            for source in (monitor.health() if monitor else [])
        ]
        healthy, body = health_report(sources, feeder.item_count(), feeder.now())
        return JSONResponse(
            body, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"}
        )

    def prometheus(request: Request) -> Response:
        return Response(metrics.render(), media_type=metrics.content_type)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if monitor:
            monitor.start()
        yield
        if monitor:
            await run_in_threadpool(monitor.stop)

    routes = [
        Route("/", published, methods=["GET", "HEAD"]),
        Route("/health", health, methods=["GET", "HEAD"]),
        Route("/metrics", prometheus, methods=["GET"]),
        Route("/search.{fmt:str}", search, methods=["GET", "HEAD"]),
        Route("/{name:path}", published, methods=["GET", "HEAD"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    return CountRequests(AnswerCurrentFeeds(app, feeds), metrics)
