"""The search URL's input and its answer to a bad request: the words and limit read
and checked from the query string, and, when they cannot be searched for, a `400`
that a person can act on. A browser gets the search page back with the reason and
its query in the box to correct; a feed reader (or anything else) gets one line of
text."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import PlainTextResponse, Response

from feeder.errors import BadSearch
from feeder.model import Site
from feeder.publish.layout import PAGE, VIEW
from feeder.publish.pages import render_page

SEARCH_LIMIT_DEFAULT, SEARCH_LIMIT_MAX, SEARCH_QUERY_MAX = 20, 100, 500


def search_terms(params: Mapping[str, str]) -> tuple[str, int]:
    """(query, limit) from a search URL's parameters `q` and `limit`; `BadSearch` when
    one is missing, too long or out of range. The query language is checked later,
    by the store."""
    query = params.get("q", "").strip()
    if not query:
        raise BadSearch("missing search words: add ?q=..., e.g. /search.atom?q=peacekeeping")
    if len(query) > SEARCH_QUERY_MAX:
        raise BadSearch(f"the query is longer than {SEARCH_QUERY_MAX} characters")
    try:
        limit = int(params.get("limit", SEARCH_LIMIT_DEFAULT))
    except ValueError:
        raise BadSearch("limit must be a whole number") from None
    if not 1 <= limit <= SEARCH_LIMIT_MAX:
        raise BadSearch(f"limit must be between 1 and {SEARCH_LIMIT_MAX}")
    return query, limit


def render_search_error(site: Site, query: str, message: str) -> bytes:
    """The search page for a search that could not be run: the reason, and the search
    box holding the query as typed, to correct it."""
    return render_page(
        "search_error.html", title=f"{site.title}: search", site=site, query=query, message=message
    )


def bad_search(site: Site, query: str, message: str, page: bool, vary: str) -> Response:
    """The `400` for a search that cannot be run: the search page with `message` when
    the client asked for HTML (`page`), else `bad request: <message>` as text."""
    headers = {"cache-control": "no-store", "vary": vary}
    if page:
        body = render_search_error(site, query, message)
        return Response(body, 400, headers, media_type=VIEW[PAGE].content_type)
    return PlainTextResponse(f"bad request: {message}\n", 400, headers)
