"""The `Feeder` facade: the one object the CLI, the server and the scheduler use."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, date, datetime, tzinfo
from threading import Event

from feeder.config import FolderSourceConfig, Settings
from feeder.core.clients import SharedClients
from feeder.core.database import database_schema as database_schema
from feeder.core.database import upgrade_database as upgrade_database
from feeder.core.explanation import Explanation, explain_item
from feeder.core.status import SourceReport, StatusReport, TopicInfo, source_report
from feeder.errors import UnknownItemError, UnknownSourceError, UnknownTopicError
from feeder.model import FeedContent, RefreshSummary, Site, SourceStatus, StoredItem, WebState
from feeder.overrides.removal import Removal, remove_item, restore_item
from feeder.overrides.stories import join_story, leave_story, set_date
from feeder.publish import FEED_FORMATS
from feeder.refresh import (
    USER_AGENT,
    ProgressCallback,
    RefreshContext,
    RefreshLimits,
    feed_names,
    publish_changes,
    refresh,
    site_of,
)
from feeder.refresh.feeds import feed_content
from feeder.refresh.stories import StoryChanges
from feeder.store import (
    FeedVersion,
    ItemQuery,
    Storage,
    Store,
    StoreWriter,
    worker_is_gone,
    worker_name,
)

Clock = Callable[[], datetime]
# How long closing waits for queued WebSub pings (a one-shot refresh exits after it).
PING_GRACE = 30.0


def utc_now() -> datetime:
    return datetime.now(UTC)


_KEY_PREFIX = re.compile(r"[0-9a-f]{4,24}")


class Feeder:
    """A configured feeder instance over one store. Build it with `make_feeder()`."""

    def __init__(
        self,
        settings: Settings,
        store: Storage,
        clock: Clock = utc_now,
        *,
        ping_first_delay: float | None = None,
    ) -> None:
        """`ping_first_delay`: seconds before a failed WebSub ping's first retry
        (None: the pinger's default)."""
        self.settings = settings
        self.store = store
        self._clock = clock
        self._clients = SharedClients(USER_AGENT, ping_first_delay)
        # Names this process in source leases: several workers may share a database.
        self.worker = worker_name()
        # Counts this object's finished refreshes, so caches of rendered feeds (serve)
        # know at once that their own process may have changed a feed.
        self.refreshes = 0

    @property
    def database(self) -> str:
        """The database URL, password masked: for messages."""
        return self.store.url

    @property
    def site(self) -> Site:
        return site_of(self.settings)

    def refresh(
        self,
        on_progress: ProgressCallback | None = None,
        sources: Collection[str] | None = None,
        lock_timeout: float = 120.0,
        cancel: Event | None = None,
        wait_for_sources: bool = True,
        limits: RefreshLimits | None = None,
    ) -> RefreshSummary:
        """Scan the sources (all, or those named), store what is new or changed, publish.

        A source another worker is scanning is waited for, or skipped when not
        `wait_for_sources` (see `feeder.refresh.refresh`). `limits` sets how much is
        done at a time; `lock_timeout` and `wait_for_sources` replace its own.
        """
        if sources is not None:
            self._check_sources(sources)
        fetcher = self._clients.fetcher() if self._has_web_sources else None
        context = RefreshContext(self.store, self.settings, self._clock, cancel or Event(),
                                 on_progress, fetcher, self.worker)  # fmt: skip
        limits = replace(limits or RefreshLimits(), lock_timeout=lock_timeout,
                         wait_for_sources=wait_for_sources)  # fmt: skip
        try:
            summary = refresh(context, sources, limits)
        finally:
            self.refreshes += 1
        if summary.changed_feeds and self.settings.websub_hub:
            site = self.site
            self._clients.pinger(self.settings.websub_hub).ping(
                site.feed_url(slug, fmt) for slug in summary.changed_feeds for fmt in FEED_FORMATS
            )
        return summary

    @property
    def _has_web_sources(self) -> bool:
        return any(not isinstance(s, FolderSourceConfig) for s in self.settings.sources)

    def now(self) -> datetime:
        """The current time from this instance's clock (replaceable in tests)."""
        return self._clock()

    def web_state(self, source: str) -> WebState:
        """What the last fetch of a web source left (validators, Retry-After)."""
        return self.store.web_state(source)

    def item_count(self) -> int:
        return self.store.item_count()

    def record_next_run(self, source: str, at: datetime | None) -> None:
        """Note when the service scans `source` next, for `feeder status`."""
        self.store.set_next_run(source, at)

    @property
    def shared(self) -> bool:
        """Whether several workers may serve this database (PostgreSQL), not one (SQLite)."""
        return self.store.dialect != "sqlite"

    def scanners(self) -> dict[str, tuple[str, bool]]:
        """source -> (the worker scanning it now or last, whether it is scanning now)."""
        now = self._clock()
        return {
            source: (lease.holder, lease.until > now and not worker_is_gone(lease.holder))
            for source, lease in self.store.leases().items()
            if lease.holder
        }

    def service_pid(self) -> int | None:
        """The pid of the `feeder serve` running on this database, if any."""
        return self.store.service_pid()

    def claim_service(self) -> AbstractContextManager[None]:
        """Be the only `feeder serve` on this database (`LockBusyError` if one runs)."""
        return self.store.service_claim()

    def feed_names(self) -> list[str]:
        """The slugs of every published feed: `all`, then each topic."""
        return feed_names(self.settings)

    def feed_version(self, slug: str) -> FeedVersion:
        """(version, changed at) of a feed's entries: equal versions, equal feeds."""
        return self.store.feed_version(slug)

    def feed(self, slug: str) -> FeedContent:
        """A feed's entries as they stand in the database (`UnknownTopicError` if none)."""
        if slug not in self.feed_names():
            raise UnknownTopicError(slug)
        return feed_content(self.store, self.settings, slug)

    def search(self, query: str, limit: int = 20) -> list[StoredItem]:
        """Items matching a full-text query, newest first (`SearchQueryError` if malformed)."""
        return self.store.search(query, limit)

    def source_statuses(self) -> dict[str, SourceStatus]:
        """How each configured source's scans have gone (empty status if never scanned)."""
        recorded = self.store.source_statuses()
        return {
            s.name: recorded.get(s.name, SourceStatus(s.name, None, None, 0, None, None))
            for s in self.settings.sources
        }

    def source_reports(
        self, only: str | None = None, crashes: Mapping[str, int] | None = None
    ) -> dict[str, SourceReport]:
        """Each configured source (or only the one named) judged by its recorded scans:
        back-off, Retry-After pause, standing, worker. `crashes`: refreshes of a source
        that failed before they could record a scan (the service counts them)."""
        now, crashed = self._clock(), crashes or {}
        recorded, scanners = self.source_statuses(), self.scanners()
        reports = {}
        for source in self.settings.sources:
            if only not in (None, source.name):
                continue
            paused = None
            if not isinstance(source, FolderSourceConfig):
                paused = self.store.web_state(source.name).retry_after
            reports[source.name] = source_report(
                recorded[source.name], source.location, source.interval, now,
                paused_until=paused, scanner=scanners.get(source.name),
                crashes=crashed.get(source.name, 0),
            )  # fmt: skip
        return reports

    def status(self) -> StatusReport:
        """Everything `feeder status` shows, from the database: it holds whether or not
        `feeder serve` runs."""
        return StatusReport(
            now=self._clock(),
            service_pid=self.service_pid(),
            shared=self.shared,
            database=self.database,
            feeds_dir=self.settings.feeds_dir,
            sources=self.source_reports(),
            topics=self.topics(),
        )

    def items(self, topic: str | None = None, limit: int = 20) -> list[StoredItem]:
        """The newest stored items, of one topic or of all."""
        return self.find_items(ItemQuery(topic=topic, limit=limit))

    def find_items(self, query: ItemQuery) -> list[StoredItem]:
        """The newest entries matching `query`, each with its source
        (`UnknownTopicError`, `UnknownSourceError`, `SearchQueryError`)."""
        if query.topic is not None and query.topic not in self.settings.topics:
            raise UnknownTopicError(query.topic)
        if query.source is not None:
            self._check_sources([query.source])
        return self.store.find_items(query)

    def _check_sources(self, names: Collection[str]) -> None:
        known = {source.name for source in self.settings.sources}
        for name in names:
            if name not in known:
                raise UnknownSourceError(name)

    def item(self, key: str) -> StoredItem:
        """The stored item of `key`, or of a prefix naming one item (`UnknownItemError`)."""
        key = key.strip().lower()
        if not _KEY_PREFIX.fullmatch(key):
            raise UnknownItemError(f"{key!r} is not an item key or its first 4 or more characters")
        found = self.store.items_by_key_prefix(key, limit=6)
        if not found:
            raise UnknownItemError(f"no stored item has a key starting with {key!r}")
        if len(found) > 1:  # keys are all 24 characters: a whole key names one item
            keys = ", ".join(item.key for item in found[:5])
            raise UnknownItemError(f"{key!r} starts several keys ({keys}); give more of it")
        return found[0]

    def stories(self, limit: int = 20) -> list[StoredItem]:
        """The newest stories of more than one report: each lead, with its others."""
        return self.store.newest_stories(limit)

    def join_story(self, key: str, other: str) -> StoredItem:
        """Put the item `key` in the story of the item `other` by hand, and publish;
        the story's entry as it is now."""
        one, two = self.item(key), self.item(other)
        if one.key == two.key:
            raise UnknownItemError(f"{key!r} and {other!r} name the same item")
        self._decide(lambda w, zone, now: join_story(w, zone, now, one.key, two.key))
        return self.item(self.item(one.key).story or one.key)

    def leave_story(self, key: str) -> StoredItem:
        """Make the item `key` a story of its own by hand, and publish; the item now."""
        found = self.item(key)
        self._decide(lambda w, zone, now: leave_story(w, zone, now, found.key))
        return self.item(found.key)

    def set_date(self, key: str, day: date | None) -> StoredItem:
        """Date the item `key` by hand (None: as its text or story does), and publish;
        the item now."""
        found = self.item(key)
        self._decide(lambda w, zone, now: set_date(w, zone, now, found.key, day))
        return self.item(found.key)

    def remove(self, key: str) -> Removal:
        """Take an item out of every feed and keep it out (`RemovalError`), and publish."""
        return remove_item(self.store, self.settings, self._clock(), key)

    def restore(self, key: str) -> Removal:
        """Bring a removed item back into the feeds as it was (`RemovalError`), and publish."""
        return restore_item(self.store, self.settings, self._clock(), key)

    def _decide(self, decision: Callable[[StoreWriter, tzinfo, datetime], StoryChanges]) -> None:
        """Apply a user's decision in one transaction, then write what it changed."""
        now = self._clock()
        with self.store.write() as writer:
            before = writer.feed_versions()
            changes = decision(writer, self.settings.tz, now)
            writer.bump_feeds(changes.feeds, now)
            after = writer.feed_versions()
        publish_changes(self.store, self.settings, now, before, after, changes.keys)

    def explain(self, key: str) -> Explanation:
        """Judge a stored item (by its key, or a prefix naming one item) against every
        topic, keeping each step: what `feeder explain` shows."""
        return explain_item(self.item(key), self.settings.topic_list())

    def topics(self) -> list[TopicInfo]:
        """Every configured topic with its number of stored items."""
        counts = self.store.topic_counts()
        return [
            TopicInfo(t.slug, t.title, counts.get(t.slug, 0), t.keywords)
            for t in self.settings.topic_list()
        ]

    def finish_pings(self, grace: float = PING_GRACE) -> None:
        """Give queued WebSub pings up to `grace` seconds to go out, then stop pinging."""
        self._clients.finish_pings(grace)

    def close(self) -> None:
        """Release the database and HTTP clients, after `finish_pings`."""
        self._clients.close(PING_GRACE)
        self.store.close()

    def __enter__(self) -> Feeder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_feeder(
    settings: Settings, clock: Clock = utc_now, *, ping_first_delay: float | None = None
) -> Feeder:
    """Build a `Feeder` from validated settings: opens (and creates) the database."""
    assert settings.database_url is not None  # load_settings always fills it in
    return Feeder(settings, Store(settings.database_url), clock, ping_first_delay=ping_first_delay)
