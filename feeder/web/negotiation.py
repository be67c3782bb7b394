"""Content negotiation: which representation of a URL a request asks for (a feed or
its HTML view, by `Accept`) and whether it takes gzip (by `Accept-Encoding`)."""

from __future__ import annotations

from functools import lru_cache

from feeder.publish.layout import FEED_NAME, PAGE, VIEW, VIEWS, feed_path

# What each feed format may be asked for as (its own type first), and what a browser
# asks for: `wants_html` compares the two.
FEED_TYPES = {view.name: (view.media_type, *view.also_accepted) for view in VIEWS if view.feed}
_HTML_TYPES = (VIEW[PAGE].media_type, *VIEW[PAGE].also_accepted)


def _weighted(header: str) -> list[tuple[str, float]]:
    """The values of an Accept or Accept-Encoding header with their weights (`q`, 1 by
    default), lower-case."""
    ranges = []
    for part in header.split(","):
        media, *params = (piece.strip().lower() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    weight = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    weight = 0.0
        if media:
            ranges.append((media, weight))
    return ranges


def _weight(ranges: list[tuple[str, float]], media: str, wildcards: bool = True) -> float:
    """The weight of `media` under the most specific range that matches it (RFC 9110)."""
    kind = media.split("/")[0]
    best, specificity = 0.0, -1
    for pattern, weight in ranges:
        if pattern == media:
            rank = 2
        elif wildcards and pattern == f"{kind}/*":
            rank = 1
        elif wildcards and pattern == "*/*":
            rank = 0
        else:
            continue
        if rank > specificity:
            best, specificity = weight, rank
    return best


@lru_cache(maxsize=256)  # clients send a handful of distinct values, on every poll
def wants_html(accept: str | None, fmt: str) -> bool:
    """Whether a request for a feed in `fmt` should get the feed's HTML view: its
    Accept names HTML and ranks it above every type the feed is served as. Browsers
    do; feed readers send the feed types or `*/*`, and a tie goes to the feed."""
    if not accept or fmt not in FEED_TYPES:
        return False
    ranges = _weighted(accept)
    html_weight = max(_weight(ranges, media, wildcards=False) for media in _HTML_TYPES)
    return html_weight > max(_weight(ranges, media) for media in FEED_TYPES[fmt])


def negotiate(name: str, accept: str | None) -> tuple[str, bool]:
    """(the name to serve for `name`, whether the answer depends on Accept): a feed's
    URL gives its HTML view to browsers, and the feed itself to everything else."""
    match = FEED_NAME.fullmatch(name)
    if match is None or match["view"] not in FEED_TYPES:
        return name, False
    if wants_html(accept, match["view"]):
        return feed_path(match["slug"], PAGE), True
    return name, True


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding value allows gzip (an explicit `gzip` wins over `*`)."""
    weights = dict(_weighted(accept_encoding))
    return weights.get("gzip", weights.get("*", 0.0)) > 0
