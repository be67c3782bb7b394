"""HTTP (Starlette): the routes to the feeds, the published pages, a search feed,
health and metrics. Read-only: requests never refresh anything.

Feeds come from the database (`stored_feeds`), so every worker sharing a database
answers with the same bytes; the other pages come from `feeds/` (`published`); a
browser opening a feed or archive URL gets its HTML view (`negotiation`). Every answer
carries a strong ETag and Last-Modified, 304s, and a cached gzip form (`conditional`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Protocol

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from feeder.core import Feeder
from feeder.errors import BadSearch
from feeder.model import FeedContent
from feeder.publish import render_feed
from feeder.publish.layout import (
    ARCHIVE_NAME,
    ARCHIVE_VIEW,
    FEED_VIEWS,
    INDEX,
    LEGACY_ARCHIVE_NAME,
    PAGE,
    SEARCH,
    VIEW,
)
from feeder.service.health import SourceHealth, health_report
from feeder.store import SearchQueryError, StoreError
from feeder.web.caching import CACHE_SEARCH, VARY_FEEDS
from feeder.web.conditional import Resource, respond
from feeder.web.metrics import Metrics
from feeder.web.negotiation import FEED_TYPES, negotiate, wants_html
from feeder.web.published import ArchivePages, PublishedFiles
from feeder.web.search import bad_search, search_terms
from feeder.web.stored_feeds import AnswerCurrentFeeds, StoredFeeds

log = logging.getLogger("feeder.web.app")


class Monitoring(Protocol):
    """What the HTTP layer needs from the scheduler (see `schedule.Monitor`)."""

    def start(self) -> None: ...
    def stop(self) -> bool: ...
    def health(self) -> list[SourceHealth]: ...


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
        name = request.path_params.get("name") or INDEX
        # The route's pattern tolerates a trailing newline; the served name must be exact.
        exact = request.scope["path"] in ("/", f"/{name}")
        if not exact:
            return PlainTextResponse("not found\n", status_code=404)
        accept = ", ".join(request.headers.getlist("accept"))
        # The monthly archives of earlier versions: their URLs now lead to the feed, from
        # which `prev-archive` reaches every item.
        month = LEGACY_ARCHIVE_NAME.fullmatch(name)
        if month and month["slug"] in feeds.names:
            return RedirectResponse(site.feed_url(month["slug"], ARCHIVE_VIEW), status_code=301)
        if ARCHIVE_NAME.fullmatch(name):  # negotiated like a feed: a browser gets a page
            page = archive_pages.get(name) if wants_html(accept, ARCHIVE_VIEW) else None
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
        view = request.path_params["view"]
        if view not in FEED_VIEWS:
            return PlainTextResponse("not found\n", status_code=404)
        negotiated = view in FEED_TYPES
        vary = VARY_FEEDS if negotiated else "Accept-Encoding"
        if wants_html(", ".join(request.headers.getlist("accept")), view):
            view = PAGE
        try:
            query, limit = search_terms(request.query_params)
            items = feeder.search(query, limit)
        except (BadSearch, SearchQueryError) as exc:
            typed = request.query_params.get("q", "")
            return bad_search(site, typed, str(exc), view == PAGE, vary)
        feed = FeedContent(SEARCH, f"{site.title}: search for {query}", items, len(items), query)
        body = render_feed(site, feed, view, titles)
        # No Last-Modified: a new back-dated item would not move it. The ETag covers it.
        resource = Resource.of(body, VIEW[view].content_type, None, CACHE_SEARCH)
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
        Route(f"/{SEARCH}.{{view:str}}", search, methods=["GET", "HEAD"]),
        Route("/{name:path}", published, methods=["GET", "HEAD"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    return CountRequests(AnswerCurrentFeeds(app, feeds), metrics)
