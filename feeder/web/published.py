"""The files in `feeds/` as HTTP resources: only names the publisher writes (an
allow-list derived from the layout, so no path can reach outside `feeds/`), each read
and hashed once per change of the file; and the HTML view of each archive page,
rendered from its file."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

from feeder.errors import ArchivePageError
from feeder.model import Site
from feeder.publish.layout import (
    ARCHIVE_NAME,
    ITEMS,
    PAGE,
    SERVED_NAME,
    VIEW,
    archive_path,
    content_type,
)
from feeder.web.archive_page import render_archive_page
from feeder.web.caching import CACHE_FEEDS, CACHE_ITEM_PAGES, CACHED_ANSWERS
from feeder.web.conditional import Resource

log = logging.getLogger("feeder.web.published")


class PublishedFiles:
    """The files in `feeds/` by URL path, read and hashed once per change of the file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: OrderedDict[str, tuple[tuple[int, int, int], Resource]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str) -> Resource | None:
        media_type = content_type(name)
        if media_type is None or not SERVED_NAME.fullmatch(name):
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
        cache_control = CACHE_ITEM_PAGES if name.startswith(f"{ITEMS}/") else CACHE_FEEDS
        resource = Resource.of(body, media_type, info.st_mtime, cache_control)
        with self._lock:
            self._cache[name] = (stamp, resource)
            if len(self._cache) > CACHED_ANSWERS:
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
        slug, number = match["slug"], int(match["page"])
        # Whether a newer page exists decides the page's "newer items" link.
        newer = self.files.get(archive_path(slug, number + 1)) is not None
        with self._lock:
            cached = self._cache.get(name)
            if cached and cached[0] is atom and cached[1] == newer:
                self._cache.move_to_end(name)
                return cached[2]
        try:
            body = render_archive_page(self.site, slug, number, atom.identity.body, newer)
        except ArchivePageError as exc:
            log.warning("%s", exc)
            return None
        page = Resource.of(body, VIEW[PAGE].content_type, atom.last_modified, atom.cache_control)
        with self._lock:
            self._cache[name] = (atom, newer, page)
            if len(self._cache) > CACHED_ANSWERS:
                self._cache.popitem(last=False)
        return page
