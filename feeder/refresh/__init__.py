"""One refresh, end to end. The scheduler and `feeder refresh` both call `refresh()`.

update_web.read_web_source per web source   (fetch + parse, before the writer lock)
sources.list_folder | decide.plan_scan (stat only)
  | sources.read_file | SeedParser.parse_bytes           (changed files only)
  | store.write(): items, sightings, topics, scan and web state (one transaction)
  | store.latest_items per feed | publish.publish_site   (only changed bytes hit disk)
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from importlib.metadata import version
from itertools import groupby
from threading import Event
from typing import TYPE_CHECKING, Any

from feeder.config import FolderSourceConfig, Settings, SourceConfig, WebSourceConfig
from feeder.feeds import feed_chain, feed_names
from feeder.model import (
    FileState,
    ParsedItem,
    RefreshSummary,
    ScannedFile,
    Site,
    SourceFile,
    StoredItem,
    source_message,
)
from feeder.normalize import mask_url
from feeder.parse import ParseError, SeedParser
from feeder.publish import (
    FEED_VIEWS,
    archive_manifest,
    publish_archive,
    publish_site,
    remove_item_pages,
    remove_stale_archives,
    remove_stale_temp_files,
    write_if_changed,
)
from feeder.refresh.decider import (
    FUTURE_GRACE,
    NOT_READ,
    Change,
    calendar_day_start,
    classify_item,
    listing_fingerprint,
    plan_scan,
    publication_time,
    stated_time,
)
from feeder.refresh.stories import Fresh, StoryStep, regroup_all, settle_all
from feeder.sources import FileTooLarge, SourceError, list_folder, read_file
from feeder.store import (
    LockBusyError,
    LockWaitCancelled,
    Store,
    StoreError,
    StoreWriter,
    worker_is_gone,
)
from feeder.store.rows import item_values
from feeder.stories import GROUPING_VERSION
from feeder.topics import TopicMatcher, rules_fingerprint

if TYPE_CHECKING:  # web code loads only when a web source is refreshed (start-up)
    from feeder.refresh.web import WebRead
    from feeder.sources.web import WebFetcher

ProgressCallback = Callable[[int, int, str], None]  # (done, total, current file)
_RULES_META = "topic_rules"
_ZONE_META = "timezone"
_STORIES_META = "story_grouping"
USER_AGENT = f"feeder/{version('feeder')} (news feed publisher)"


@dataclass
class _Scan:
    """What reading the sources produced, waiting to be written in one transaction."""

    parsed: list[ScannedFile] = field(default_factory=list)
    touched: list[tuple[str, FileState]] = field(default_factory=list)  # same bytes, new mtime
    unsettled: set[str] = field(default_factory=set)  # sources with a file to try again


def site_of(settings: Settings) -> Site:
    return Site(
        settings.title,
        settings.base_url,
        settings.tag_authority,
        settings.tz,
        settings.websub_hub,
    )


def refresh(
    store: Store,
    settings: Settings,
    now: datetime,
    on_progress: ProgressCallback | None = None,
    sources: Collection[str] | None = None,
    lock_timeout: float = 120.0,
    cancel: Event | None = None,
    fetcher: WebFetcher | None = None,
    worker: str = "feeder",
    wait_for_sources: bool = True,
) -> RefreshSummary:
    """Scan the sources (all, or those named), ingest what changed, re-tag if the
    rules changed, publish.

    Bad inputs are reported in the summary and never stop the others. Database and
    output failures raise (`StoreError`, `PublishError`): nothing half-done is kept.
    Each source is scanned by one worker at a time: this one (named `worker`) leases
    the sources first, waiting up to `lock_timeout` seconds for another worker to
    finish them (`LockBusyError` after that), or, without `wait_for_sources`, skips
    those another worker holds (`summary.sources_skipped`). On SQLite a refresh also
    holds the database's writer lock. Setting `cancel` stops a refresh that is
    waiting, reading or storing (`RefreshCancelled`; the batch of files being stored
    is rolled back, batches stored before stay); one already publishing finishes.
    """
    stop = cancel or Event()
    moment = now.replace(microsecond=0)
    # Before anything else, and whatever this refresh then finds to do: what a killed
    # writer left in feeds/ must not stay there for a static server to serve.
    remove_stale_temp_files(settings.feeds_dir)
    chosen = [s for s in settings.sources if sources is None or s.name in sources]
    summary = RefreshSummary()
    lease = _Lease(store, worker, moment, settings.source_lease)
    wait = lock_timeout if wait_for_sources else 0.0
    lease.claim([s.name for s in chosen], wait, stop)
    summary.sources_skipped = [s.name for s in chosen if s.name not in lease.sources]
    chosen = [s for s in chosen if s.name in lease.sources]
    if not chosen:
        # Other workers did the scanning; this one's feeds/ must still catch up.
        published = _published(settings) or {}
        if (
            published.get("settings") != _output_fingerprint(settings)
            or published.get("versions") != store.feed_versions()
        ):
            _publish(store, settings, summary, moment)
        return summary
    try:
        # Web sources are fetched before taking the writer lock: a slow server delays
        # its own source only, never another refresh.
        pages = [s for s in chosen if not isinstance(s, FolderSourceConfig)]
        web = _read_web_sources(store, settings, pages, fetcher, moment, summary, stop)
        with store.writer_lock(lock_timeout, give_up=stop.is_set):
            return _refresh(store, settings, moment, on_progress, chosen, web, summary, stop, lease)
    except LockWaitCancelled:
        raise RefreshCancelled("cancelled while waiting for another refresh") from None
    finally:
        lease.release()


class RefreshCancelled(Exception):
    """The refresh was cancelled before it changed anything."""


class LeaseLost(Exception):
    """Another worker took over a source this refresh was scanning (this one stalled
    past its lease); the refresh stopped without writing, the other one does it."""


class _Lease:
    """This worker's leases on the sources it refreshes, renewed while it works so a
    long scan keeps them, and released at the end (or expiring if the process dies)."""

    def __init__(self, store: Store, worker: str, now: datetime, seconds: float) -> None:
        self.store, self.worker, self.now, self.seconds = store, worker, now, seconds
        self.sources: list[str] = []
        self._started = self._renewed = time.monotonic()

    def _at(self) -> datetime:
        return self.now + timedelta(seconds=time.monotonic() - self._started)

    def claim(self, sources: list[str], wait: float, cancel: Event) -> None:
        deadline = time.monotonic() + wait
        while True:
            at = self._at()
            until = at + timedelta(seconds=self.seconds)
            # Waiting, take all or none: two waiters each holding half would starve.
            gone = self._gone(sources, at)
            claimed = self.store.claim_sources(sources, self.worker, at, until, wait > 0, gone)
            self.sources = claimed or []
            if self.sources or not sources or wait <= 0:
                return
            if cancel.is_set():
                raise RefreshCancelled("cancelled while waiting for another worker")
            if time.monotonic() >= deadline:
                busy = ", ".join(sorted(set(sources) - set(self.sources)))
                raise LockBusyError(
                    f"another feeder worker is refreshing {busy}; gave up after waiting {wait:g} s"
                )
            time.sleep(0.1)

    def _gone(self, sources: list[str], at: datetime) -> set[str]:
        """Holders of live leases on `sources` whose process has ended (a refresh
        killed mid-scan): their leases need not be waited out."""
        leases = self.store.leases()
        held = {leases[s][0] for s in sources if s in leases and leases[s][2] > at}
        return {holder for holder in held if holder and worker_is_gone(holder)}

    def keep(self) -> None:
        """Renew the leases when a third of their time has passed; `LeaseLost` if
        another worker holds one of them now."""
        if self.sources and time.monotonic() - self._renewed > self.seconds / 3:
            at = self._at()
            until = at + timedelta(seconds=self.seconds)
            kept = self.store.claim_sources(self.sources, self.worker, at, until, every=False)
            if kept is None:
                return  # the database is busy for a moment: renew at the next call
            if lost := sorted(set(self.sources) - set(kept)):
                self.sources = kept  # never release what another worker holds now
                raise LeaseLost(
                    f"another worker took over {', '.join(lost)} after this refresh held it "
                    f"for longer than source_lease ({self.seconds:g} s) without renewing"
                )
            self._renewed = time.monotonic()

    def release(self) -> None:
        if not self.sources:
            return
        with suppress(StoreError):  # failing that, the leases expire on their own
            self.store.release_sources(self.sources, self.worker)


def _refresh(
    store: Store,
    settings: Settings,
    now: datetime,
    on_progress: ProgressCallback | None,
    chosen: list[SourceConfig],
    web: list[tuple[WebSourceConfig, WebRead]],
    summary: RefreshSummary,
    cancel: Event,
    lease: _Lease,
) -> RefreshSummary:
    matcher = TopicMatcher(settings.topic_list())
    folders = [s for s in chosen if isinstance(s, FolderSourceConfig)]
    work, vanished, listings = _plan_sources(store, folders, summary)
    limits = {source.name: source.max_bytes for source in folders}
    paused = {source.name for source, read in web if read.paused}
    lease.keep()
    shown = _shown_through(settings, now)
    _follow_settings(store, settings, matcher, now, summary, shown)
    ingest = _Ingest(matcher, settings, now, summary, shown)
    parser = SeedParser()
    # Files are read and stored a chunk at a time, each chunk one transaction with the
    # scan state of its files: memory stays flat however large the folder, and a crash
    # keeps what was stored, which the next refresh does not read again.
    chunks = [work[start : start + _FILES_PER_TRANSACTION]
              for start in range(0, len(work), _FILES_PER_TRANSACTION)] or [[]]  # fmt: skip
    before: dict[str, int] | None = None
    after: dict[str, int] = {}
    unsettled: set[str] = set()
    for number, chunk in enumerate(chunks):
        scan = _read_files(parser, chunk, number * _FILES_PER_TRANSACTION, len(work), limits,
                           summary, on_progress, cancel, lease.keep)  # fmt: skip
        last = number == len(chunks) - 1
        unsettled |= scan.unsettled
        with store.write() as writer:
            if before is None:
                before = writer.feed_versions()
                after = dict(before)
                # A changed folder's recorded listing goes with its first stored file,
                # and comes back only once the whole folder has been scanned.
                for name in listings:
                    writer.delete_meta(_listing_meta(name))
            for scanned in scan.parsed:
                ingest.add_file(scanned)
            if last:  # the sources' own state goes with their last files
                for name in (s.name for s in chosen if s.name not in paused):
                    writer.record_scan(name, now, summary.failed_sources.get(name))
                for source, read in web:
                    if read.items is not None:
                        ingest.add(source.name, mask_url(source.url), read.items)
                    writer.save_web_state(source.name, read.state)  # with its items
                for name, paths in vanished:
                    writer.forget_files(name, paths)
                for name, fingerprint in listings.items():
                    if name not in unsettled:
                        writer.set_meta(_listing_meta(name), fingerprint)
            changed = ingest.run(writer, cancel)
            for name, touched in groupby(scan.touched, key=lambda entry: entry[0]):
                writer.save_file_states(name, [state for _, state in touched], now)
            writer.bump_feeds(changed, now)
        after |= {feed: after.get(feed, 0) + 1 for feed in changed}
    assert before is not None
    _publish(store, settings, summary, now, _Changes(before, after, ingest.changed_keys))
    return summary


def _read_web_sources(
    store: Store,
    settings: Settings,
    sources: list[WebSourceConfig],
    fetcher: WebFetcher | None,
    now: datetime,
    summary: RefreshSummary,
    cancel: Event,
) -> list[tuple[WebSourceConfig, WebRead]]:
    if not sources:
        return []
    from feeder.refresh.web import read_web_source
    from feeder.sources.web import WebFetcher

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


def _follow_settings(
    store: Store,
    settings: Settings,
    matcher: TopicMatcher,
    now: datetime,
    summary: RefreshSummary,
    shown_through: datetime | None,
) -> None:
    """Derived data follows the settings it came from: re-tag and re-date everything
    when the rules or the zone changed (a new database just records them).

    A transaction of its own, before the ingest: it takes the settings' rows first and
    then items in key order, the order every ingest uses, so workers cannot deadlock.
    """
    current = {
        _RULES_META: matcher.fingerprint,
        _ZONE_META: settings.timezone,
        _STORIES_META: GROUPING_VERSION,
    }
    if store.meta(list(current)) == current:
        return  # the usual case, settled without a write transaction
    with store.write() as writer:
        moved = False
        if _settings_changed(writer, _RULES_META, matcher.fingerprint):
            summary.items_retagged = _retag_all(writer, matcher)
            moved = True
        if _settings_changed(writer, _ZONE_META, settings.timezone):
            summary.items_redated = _redate_all(writer, settings.tz)
            moved = True
        # Stories are placed anew when grouping changed, and on a database stored
        # before stories existed (nothing recorded): the first refresh groups it.
        if writer.get_meta(_STORIES_META) != GROUPING_VERSION:
            writer.set_meta(_STORIES_META, GROUPING_VERSION)
            summary.items_regrouped = regroup_all(writer, settings.tz, now, shown_through)
            moved = moved or summary.items_regrouped > 0
        elif summary.items_retagged:  # each lead carries its reports' new tags
            settle_all(writer, settings.tz, now, shown_through)
        if moved:
            writer.bump_feeds(feed_names(settings), now)


def _settings_changed(writer: StoreWriter, name: str, value: str) -> bool:
    """Record `value` under `name`; True if it replaced a different recorded value."""
    recorded = writer.get_meta(name)
    if recorded != value:
        writer.set_meta(name, value)
    return recorded is not None and recorded != value


def _listing_meta(source: str) -> str:
    return f"listing:{source}"


def _plan_sources(
    store: Store, sources: list[FolderSourceConfig], summary: RefreshSummary
) -> tuple[list[tuple[SourceFile, FileState | None]], list[tuple[str, list[str]]], dict[str, str]]:
    """(the files to read with their last state, the paths gone per source, the listing
    fingerprint of each folder that changed): stat only. A folder whose listing is the
    one recorded after its last complete scan, with a state for each of its files, costs
    one row and a count, not a row per file."""
    work: list[tuple[SourceFile, FileState | None]] = []
    vanished = []
    listings = {}
    for source in sources:
        try:
            listing = list_folder(source)
        except SourceError as exc:
            summary.add_error(source.name, str(exc))
            summary.failed_sources[source.name] = source_message(source.name, str(exc))
            continue
        files = listing.files
        fingerprint = listing_fingerprint(files, listing.skipped, source.max_bytes)
        if store.recorded_listing(source.name, _listing_meta(source.name)) == (
            fingerprint,
            len(files),
        ):
            summary.files_unchanged += len(files)
            continue
        listings[source.name] = fingerprint
        summary.warnings += listing.skipped  # once: they are part of the recorded listing
        states = store.file_states(source.name)
        plan = plan_scan(files, states, source.max_bytes)
        summary.files_unchanged += len(plan.unchanged)
        work += [(file, states.get(file.path)) for file in plan.to_read]
        if plan.vanished:
            vanished.append((source.name, plan.vanished))
    return work, vanished, listings


def _read_files(
    parser: SeedParser,
    files: list[tuple[SourceFile, FileState | None]],
    first: int,
    total: int,
    limits: Mapping[str, int],
    summary: RefreshSummary,
    on_progress: ProgressCallback | None,
    cancel: Event,
    keep_lease: Callable[[], None],
) -> _Scan:
    scan = _Scan()
    for done, (file, state) in enumerate(files, start=first + 1):
        if cancel.is_set():
            raise RefreshCancelled("cancelled while reading files")
        if on_progress:
            on_progress(done, total, file.path)
        keep_lease()
        _scan_file(parser, file, state, limits[file.source], scan, summary)
    return scan


def _scan_file(
    parser: SeedParser,
    file: SourceFile,
    state: FileState | None,
    max_bytes: int,
    scan: _Scan,
    summary: RefreshSummary,
) -> None:
    try:
        data = read_file(file, max_bytes)
    except FileTooLarge as exc:
        # Remembered by its listed size and mtime, so it is not tried again until it changes.
        summary.files_scanned += 1
        summary.warnings.append(str(exc))
        state = FileState(file.path, file.size, file.mtime_ns, NOT_READ)
        scan.touched.append((file.source, state))
        return
    except SourceError as exc:
        summary.files_failed += 1
        summary.add_error(file.source, str(exc))
        scan.unsettled.add(file.source)
        return
    sha256 = hashlib.sha256(data).hexdigest()
    if state is not None and state.sha256 == sha256:
        summary.files_unchanged += 1  # touched, same bytes: nothing to parse
        scan.touched.append((file.source, FileState(file.path, file.size, file.mtime_ns, sha256)))
        return
    try:
        result = parser.parse_bytes(data)
    except ParseError as exc:
        # Skipped with a warning and remembered, so it is not read again until it changes.
        summary.files_scanned += 1
        summary.warnings.append(f"{file.location}: skipped: {exc}")
        scan.touched.append((file.source, FileState(file.path, file.size, file.mtime_ns, sha256)))
        return
    except Exception as exc:  # a parser bug must not cost the other files
        summary.files_failed += 1
        scan.unsettled.add(file.source)
        summary.add_error(
            file.source, f"{file.location}: parser failed: {type(exc).__name__}: {exc}"
        )
        return
    summary.files_scanned += 1
    summary.warnings += [f"{file.location}: {warning}" for warning in result.warnings]
    scan.parsed.append(ScannedFile(file, sha256, result.items))


_INGEST_BATCH = 500  # keys written per round of statements
_FILES_PER_TRANSACTION = 500
_KEYS_LISTED = 5_000  # above this many changed items, publish renders every item page


@dataclass
class _ItemPlan:
    """The write one key needs: insert, update, re-tag, and where it was seen."""

    item: ParsedItem
    item_id: int | None
    published: datetime
    places: list[tuple[str, str]]  # (source, path or URL)
    new: bool = False
    update: bool = False
    retag: bool = False
    topics: dict[str, str] = field(default_factory=dict)  # slug -> why the item is in it
    values: dict[str, Any] = field(default_factory=dict)


class _Ingest:
    """Writes parsed files into the store, deciding per item: new, changed or unchanged.

    Items are written in key order, whatever file they came from: concurrent writers
    (several workers on PostgreSQL) then lock the rows they share in the same order
    and cannot deadlock. Within a key, files keep their order (the last read wins).
    """

    def __init__(
        self,
        matcher: TopicMatcher,
        settings: Settings,
        now: datetime,
        summary: RefreshSummary,
        shown_through: datetime | None,
    ) -> None:
        self.matcher, self.zone = matcher, settings.tz
        self.now, self.summary, self.shown_through = now, summary, shown_through
        self.pending: list[tuple[ParsedItem, str, str, str]] = []  # item, source, place, shown
        self.files: list[tuple[str, FileState]] = []
        self.changed_feeds: set[str] = set()  # feeds whose entries this ingest changed
        # Items stored, edited or re-tagged; None once there are too many to list.
        self.changed_keys: set[str] | None = set()

    def add_file(self, scanned: ScannedFile) -> None:
        file = scanned.file
        self.add(file.source, file.path, scanned.items, str(file.location))
        self.files.append(
            (file.source, FileState(file.path, file.size, file.mtime_ns, scanned.sha256))
        )

    def add(self, source: str, place: str, items: list[ParsedItem], shown: str = "") -> None:
        """Queue `items` seen at `place` (a file's path, a page's URL) of `source`."""
        self.pending += [(item, source, place, shown or place) for item in items]

    def run(self, writer: StoreWriter, cancel: Event) -> set[str]:
        """Write everything queued in `writer`'s transaction, a batch of keys at a time
        (a few statements per batch, not per item), and empty the queue. Returns the
        feeds whose entries changed. Leaving early through `cancel` rolls it back."""
        self.writer, self.changed_feeds = writer, set()
        self.pending.sort(key=lambda entry: entry[0].key)  # stable: files keep their order
        groups = [list(g) for _, g in groupby(self.pending, key=lambda entry: entry[0].key)]
        for start in range(0, len(groups), _INGEST_BATCH):
            if cancel.is_set():
                raise RefreshCancelled("cancelled while storing items")
            self._batch(groups[start : start + _INGEST_BATCH])
        for source, states in groupby(self.files, key=lambda entry: entry[0]):
            self.writer.save_file_states(source, [state for _, state in states], self.now)
        self.pending, self.files = [], []
        return self.changed_feeds

    def _batch(self, groups: list[list[tuple[ParsedItem, str, str, str]]]) -> None:
        keys = [group[0][0].key for group in groups]
        stored = self.writer.find_items(keys)
        # Asked after `find_items`: an item removed meanwhile by another worker's
        # transaction is then among the tombstones, even if its row was still found.
        removed = self.writer.removals.removed(keys)
        planned = [self._plan(group, stored.get(key), key in removed)
                   for group, key in zip(groups, keys, strict=True)]  # fmt: skip
        plans = [plan for plan in planned if plan is not None]
        added = self.writer.add_items([p.values for p in plans if p.item_id is None])
        for plan in plans:
            if plan.item_id is None and plan.item.key not in added:
                plan.item_id = self._stored_meanwhile(plan)
            elif plan.item_id is None:
                plan.item_id = added[plan.item.key]
        self.writer.update_items([p.values | {"item_id": p.item_id} for p in plans if p.update])
        retagged = [p for p in plans if p.retag]
        if self.changed_keys is not None:
            self.changed_keys.update(p.item.key for p in retagged)
            if len(self.changed_keys) > _KEYS_LISTED:
                self.changed_keys = None  # memory stays flat however many items a refresh brings
        ids = {p.item.key: p.item_id or 0 for p in plans}  # every plan has its row by now
        # Stories: each new or changed item joins one; each story's lead carries its tags.
        stories = StoryStep(self.writer, self.zone, self.now, self.shown_through)
        changes = stories.place(
            ((ids[p.item.key], p.item) for p in retagged),
            fresh={
                ids[p.item.key]: Fresh(p.item.key, p.published, p.topics) for p in retagged if p.new
            },
        )
        self.changed_feeds |= changes.feeds
        if self.changed_keys is not None:
            self.changed_keys |= changes.keys
        seen = {"first_seen": self.now, "last_seen": self.now}
        sightings = [
            {"item_id": ids[plan.item.key], "source": source, "path": place} | seen
            for plan in plans
            for source, place in plan.places
        ]
        self.writer.record_sightings(sightings)

    def _plan(
        self,
        group: list[tuple[ParsedItem, str, str, str]],
        found: tuple[int, str, datetime] | None,
        removed: bool = False,
    ) -> _ItemPlan | None:
        """What to write for one key, given every version read this refresh (in file
        order: the last wins) and what is stored; counts as the versions come. None:
        nothing, the user removed the key (`feeder remove`)."""
        current = found[1] if found else None
        if classify_item(current, group[-1][0], removed) is Change.REMOVED:
            self.summary.items_removed_skipped += 1
            return None
        changed = False
        earlier: str | None = None  # where the version read before this one came from
        for item, source, place, shown in group:
            change = classify_item(current, item)
            changed |= change is Change.CHANGED
            if change is Change.CHANGED and found is not None and earlier is None:
                earlier = self.writer.seen_at(found[0], self.now, (source, place))  # read earlier
            if change is Change.CHANGED and earlier is not None:
                self.summary.warnings.append(
                    f"{shown}: {item.title!r} has different text in {earlier}; "
                    "the version read last is kept"
                )
            current, earlier = item.content_hash, shown
        # Once per item, however many captures of this refresh hold it.
        self.summary.items_new += found is None
        self.summary.items_updated += found is not None and changed
        self.summary.items_unchanged += found is not None and not changed
        item = group[-1][0]
        places = list(dict.fromkeys((source, place) for _, source, place, _ in group))
        first_seen = found[2] if found else self.now
        published = publication_time(item, first_seen, self.zone)
        stated = stated_time(item, self.zone)
        if (found is None or changed) and stated is not None and stated > first_seen + FUTURE_GRACE:
            self.summary.warnings.append(
                f"{group[-1][3]}: {item.title!r} is dated {stated:%d.%m.%Y}, in the future; "
                "it is published as first seen"
            )
        updated = max(self.now, published) if changed else published
        plan = _ItemPlan(item, found[0] if found else None, published, places)
        plan.new = found is None
        plan.update = found is not None and changed
        plan.retag = plan.new or plan.update
        times = {"published": published, "updated": updated}
        plan.values = item_values(item) | times | ({"first_seen": self.now} if plan.new else {})
        if plan.retag:
            plan.topics = self.matcher.tags(item.key, item.title, item.blocks)
            plan.values["tags"] = json.dumps(plan.topics, ensure_ascii=False)
        return plan

    def _stored_meanwhile(self, plan: _ItemPlan) -> int:
        """Another worker stored this new item first: treat its row as the stored one."""
        found = self.writer.find_item(plan.item.key)
        assert found is not None
        item_id, stored_hash, first_seen = found
        plan.new = False
        if stored_hash != plan.item.content_hash:
            published = publication_time(plan.item, first_seen, self.zone)
            self.writer.update_item(item_id, plan.item, published, max(self.now, published))
            plan.published = published
        else:
            plan.retag = False  # the other worker tagged it with the same rules
        return item_id


def _retag_all(writer: StoreWriter, matcher: TopicMatcher) -> int:
    """Judge every item's topics anew (each story's lead then carries its reports')."""
    count = 0
    for item_id, key, title, blocks, _ in writer.iter_tagging_input():
        writer.set_own_tags(item_id, matcher.tags(key, title, blocks))
        count += 1
    return count


def _redate_all(writer: StoreWriter, zone: tzinfo) -> int:
    count = 0
    for item_id, day, published, updated, first_seen in writer.iter_dated_items():
        moved = calendar_day_start(day, zone)
        if moved > first_seen + FUTURE_GRACE:  # the rule of `publication_time`
            moved = first_seen
        # An item never edited keeps updated == published; an edited one keeps its edit time.
        writer.set_times(item_id, moved, moved if updated == published else max(updated, moved))
        count += 1
    return count


_PUBLISHED = ".feeder-published.json"


@dataclass(frozen=True)
class _Changes:
    """What one refresh changed: feed versions before and after it, and its items."""

    before: dict[str, int]
    after: dict[str, int]
    keys: set[str] | None  # None: too many to list


def _published(settings: Settings) -> dict[str, Any] | None:
    """What the files in `feeds/` were last written from: the output settings and the
    feed versions (None if unknown)."""
    try:
        recorded = json.loads((settings.feeds_dir / _PUBLISHED).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return recorded if isinstance(recorded, dict) else None


def published_address(settings: Settings) -> Settings:
    """`settings` with the base URL `feeds/` was last published under, when none is
    configured: a command run beside `feeder serve --port N` then keeps the
    service's links instead of writing the default address into every file."""
    recorded = (_published(settings) or {}).get("base_url")
    if settings.base_url_configured or not isinstance(recorded, str):
        return settings
    if not recorded.startswith(("http://", "https://")) or not recorded.endswith("/"):
        return settings  # a damaged marker: the default address
    # Still not configured: `feeder serve` derives its own address from this.
    return settings.model_copy(update={"base_url": recorded})


def _shown_through(settings: Settings, now: datetime) -> datetime | None:
    """The refresh whose items the files in `feeds/` show (see `StoryStep`): None
    before anything was published; `now` for files an older version wrote, which
    recorded no time but showed everything stored before this refresh."""
    published = _published(settings)
    if published is None:
        return None
    try:
        return datetime.fromisoformat(published.get("through") or now.isoformat())
    except (TypeError, ValueError):
        return None


# Bumped when the same items and settings render other bytes: the next refresh then
# rewrites every file, closed archives too (2: each entry's `updated` made distinct).
_OUTPUT_FORMAT = 2


def _output_fingerprint(settings: Settings) -> str:
    """Changes with every setting that shapes the output files, and with their format."""
    shape = [_OUTPUT_FORMAT, settings.title, settings.base_url, settings.tag_authority,
             settings.timezone, settings.feed_size, settings.websub_hub,
             # The rules too: a rules change re-tags items without moving their times,
             # and archives and item pages must show the new topics and reasons.
             [[t.slug, t.title] for t in settings.topic_list()],
             rules_fingerprint(settings.topic_list())]  # fmt: skip
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()


def publish_changes(
    store: Store,
    settings: Settings,
    now: datetime,
    before: dict[str, int],
    after: dict[str, int],
    keys: set[str],
) -> RefreshSummary:
    """Write what one transaction outside a refresh changed (a user's decision about
    stories or dates): its feeds, from versions `before` to `after`, and its items."""
    summary = RefreshSummary()
    _publish(store, settings, summary, now, _Changes(before, after, keys))
    return summary


def _publish(
    store: Store,
    settings: Settings,
    summary: RefreshSummary,
    now: datetime,
    changes: _Changes | None = None,
) -> None:
    """Write `feeds/`. When the files there were written from exactly the state this
    refresh started from, only the feeds and item pages it changed are rendered;
    otherwise (first run, new settings, another worker's changes) all of
    them. Each rendered feed's archive pages are brought up to date first."""
    versions = store.feed_versions()  # before reading: what is written is at least this new
    fingerprint = _output_fingerprint(settings)
    published = _published(settings)
    site = site_of(settings)
    incremental = (
        changes is not None
        and published is not None
        and published.get("settings") == fingerprint
        and published.get("versions") == changes.before
        and versions == changes.after  # nobody else wrote meanwhile
        and all(  # and nobody removed a feed file or archive
            (settings.feeds_dir / name).exists()
            for slug in feed_names(settings)
            for name in (*(f"{slug}.{view}" for view in FEED_VIEWS), archive_manifest(slug))
        )
    )
    if incremental and changes is not None:
        render: set[str] | None = {f for f in versions if versions[f] != changes.before.get(f)}
        if not render and changes.keys == set():  # nothing changed: nothing to render or read
            summary.feeds_unchanged = len(feed_names(settings)) * len(FEED_VIEWS)
            return
        items: Iterable[StoredItem] = (
            store.iter_items()
            if changes.keys is None
            else store.items_by_keys(sorted(changes.keys))
        )
    else:
        render, items = None, store.iter_items()
    chains = [feed_chain(store, settings, slug) for slug in feed_names(settings)]
    feeds = [feed for feed, _ in chains]
    titles = {topic.slug: topic.title for topic in settings.topic_list()}
    # Archives first: a feed's prev-archive link never points at a page not written.
    new_output = published is None or published.get("settings") != fingerprint
    touched = (changes.keys or set()) if changes is not None else set()
    for feed, chain in chains:
        if render is None or feed.slug in render:
            archived = publish_archive(
                site, feed, chain, store.items_by_keys, titles, settings.feeds_dir,
                everything=new_output, touched=touched,
            )  # fmt: skip
            summary.archives_written += archived.written
    remove_stale_archives(settings.feeds_dir, {feed.slug for feed in feeds})
    result = publish_site(site, feeds, items, titles, settings.feeds_dir, render)
    if render is None:  # writing everything, as after another worker's `feeder remove`
        remove_item_pages(settings.feeds_dir, store.removed_keys())
    summary.changed_feeds = result.changed_feeds
    summary.feeds_rendered = result.feeds_rendered
    summary.feeds_written = result.feeds_written
    summary.feeds_unchanged = result.feeds_unchanged
    summary.pages_written = result.pages_written
    marker = json.dumps({"settings": fingerprint, "versions": versions,
                         "through": now.isoformat(), "base_url": settings.base_url})  # fmt: skip
    write_if_changed(settings.feeds_dir / _PUBLISHED, marker.encode())
