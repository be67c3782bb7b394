"""One refresh, end to end. The scheduler and `feeder refresh` both call `refresh()`;
this module only orchestrates, and decides nothing:

    lease.Lease.claim (the sources this worker scans)
    web.read_web_sources per web source        (fetch + parse, before the writer lock)
    maintenance.follow_settings                (re-tag, re-date, re-group if they changed)
    scan.plan_folders (stat only) | scan.read_files, a chunk at a time
      | judging.Judgements (topics and story signatures, in workers when many)
      | ingest.Ingest: decider.ItemDecider (pure) -> intents -> store.write()
        (items, sightings, topics, stories, scan and web state: one transaction a chunk)
    publishing.publish: publish.plan (pure) | feed_chain per feed | publish_site
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import TYPE_CHECKING

from feeder.config import FolderSourceConfig, SourceConfig, WebSourceConfig
from feeder.errors import LeaseLost, RefreshCancelled
from feeder.model import ParsedItem, RefreshSummary
from feeder.normalize import mask_url
from feeder.parse import SeedParser
from feeder.publish import remove_stale_temp_files
from feeder.publish.plan import FeedChanges
from feeder.refresh.context import USER_AGENT, ProgressCallback, RefreshContext, RefreshLimits
from feeder.refresh.decider import ItemDecider
from feeder.refresh.feeds import feed_names
from feeder.refresh.ingest import Ingest
from feeder.refresh.judging import Judgements
from feeder.refresh.lease import Lease
from feeder.refresh.maintenance import follow_settings
from feeder.refresh.publishing import (
    catch_up,
    publish,
    publish_changes,
    published_address,
    shown_through,
    site_of,
)
from feeder.refresh.scan import FolderPlan, Scan, listing_meta, plan_folders, read_files
from feeder.refresh.stories import sign_item
from feeder.store import LockWaitCancelled
from feeder.topics import TopicMatcher

if TYPE_CHECKING:  # web code loads only when a web source is refreshed (start-up)
    from feeder.refresh.web import WebRead

__all__ = [
    "USER_AGENT",
    "LeaseLost",
    "ProgressCallback",
    "RefreshCancelled",
    "RefreshContext",
    "RefreshLimits",
    "feed_names",
    "publish_changes",
    "published_address",
    "refresh",
    "site_of",
]


def refresh(
    context: RefreshContext,
    sources: Collection[str] | None = None,
    limits: RefreshLimits | None = None,
) -> RefreshSummary:
    """Scan the sources (all, or those named), ingest what changed, re-tag if the
    rules changed, publish.

    Bad inputs are reported in the summary and never stop the others. Database and
    output failures raise (`StoreError`, `PublishError`): nothing half-done is kept.
    Each source is scanned by one worker at a time: this one (`context.worker`)
    leases the sources first, waiting up to `limits.lock_timeout` seconds for another
    worker to finish them (`LockBusyError` after that), or, without
    `limits.wait_for_sources`, skips those another worker holds
    (`summary.sources_skipped`). On SQLite a refresh also holds the database's writer
    lock. Setting `context.cancel` stops a refresh that is waiting, reading or storing
    (`RefreshCancelled`; the batch of files being stored is rolled back, batches
    stored before stay); one already publishing finishes.
    """
    limits = limits or RefreshLimits()
    store, settings, stop = context.store, context.settings, context.cancel
    moment = context.clock().replace(microsecond=0)
    # Before anything else, and whatever this refresh then finds to do: what a killed
    # writer left in feeds/ must not stay there for a static server to serve.
    remove_stale_temp_files(settings.feeds_dir)
    chosen = [s for s in settings.sources if sources is None or s.name in sources]
    summary = RefreshSummary()
    lease = Lease(store, context.worker, moment, settings.source_lease)
    wait = limits.lock_timeout if limits.wait_for_sources else 0.0
    lease.claim([s.name for s in chosen], wait, stop)
    summary.sources_skipped = [s.name for s in chosen if s.name not in lease.sources]
    chosen = [s for s in chosen if s.name in lease.sources]
    if not chosen:
        catch_up(store, settings, summary, moment)  # other workers did the scanning
        return summary
    try:
        # Web sources are fetched before taking the writer lock: a slow server delays
        # its own source only, never another refresh.
        pages = [s for s in chosen if not isinstance(s, FolderSourceConfig)]
        web = _read_web(context, pages, moment, summary)
        with store.writer_lock(limits.lock_timeout, give_up=stop.is_set):
            return _refresh(context, limits, moment, chosen, web, summary, lease)
    except LockWaitCancelled:
        raise RefreshCancelled("cancelled while waiting for another refresh") from None
    finally:
        lease.release()


def _read_web(
    context: RefreshContext,
    sources: list[WebSourceConfig],
    now: datetime,
    summary: RefreshSummary,
) -> list[tuple[WebSourceConfig, WebRead]]:
    if not sources:
        return []
    from feeder.refresh.web import read_web_sources

    return read_web_sources(
        context.store, context.settings, sources, context.fetcher, now, summary, context.cancel
    )


def _refresh(
    context: RefreshContext,
    limits: RefreshLimits,
    now: datetime,
    chosen: list[SourceConfig],
    web: list[tuple[WebSourceConfig, WebRead]],
    summary: RefreshSummary,
    lease: Lease,
) -> RefreshSummary:
    store, settings, cancel = context.store, context.settings, context.cancel
    matcher = TopicMatcher(settings.topic_list())
    folders = [s for s in chosen if isinstance(s, FolderSourceConfig)]
    plan = plan_folders(store, folders, summary)
    work = plan.work
    max_bytes = {source.name: source.max_bytes for source in folders}
    paused = {source.name for source, read in web if read.paused}
    lease.keep()
    shown = shown_through(settings, now)
    follow_settings(store, settings, matcher, now, summary, shown)
    # Topics and story signatures of many items are worked out ahead, in workers.
    judging = Judgements(matcher, sign_item, limits.judging_workers, limits.judging_from_items)
    decider = ItemDecider(now, settings.tz, judging.tags)
    ingest = Ingest(decider, summary, shown, limits.ingest_batch, limits.keys_listed,
                    judging.signature)  # fmt: skip
    parser = SeedParser()
    # Files are read and stored a chunk at a time, each chunk one transaction with the
    # scan state of its files: memory stays flat however large the folder, and a crash
    # keeps what was stored, which the next refresh does not read again. Once items are
    # judged in workers (a large refresh), the next chunk is read and judged while
    # this one is stored (a crash then also loses the chunk read ahead).
    size = limits.files_per_transaction
    chunks = [work[start : start + size] for start in range(0, len(work), size)] or [[]]
    scans = (
        read_files(parser, chunk, number * size, len(work), max_bytes, summary,
                   context.progress, cancel, lease.keep)
        for number, chunk in enumerate(chunks)
    )  # fmt: skip
    writes = _ChunkWrites(context, plan, chosen, web, paused, ingest, summary, now)
    before: dict[str, int] | None = None
    after: dict[str, int] = {}
    unsettled: set[str] = set()
    try:
        upcoming = next(scans)
        judging.submit(_items(upcoming))
        for number in range(len(chunks)):
            scan, last = upcoming, number == len(chunks) - 1
            unsettled |= scan.unsettled
            ahead = not last and judging.started
            if ahead:
                upcoming = next(scans)
                unsettled |= upcoming.unsettled
                judging.submit(_items(upcoming))
            judging.collect()
            before, after = writes.store(scan, last, unsettled, (before, after))
            if not last and not ahead:
                upcoming = next(scans)
                judging.submit(_items(upcoming))
    finally:
        judging.close()
    assert before is not None
    publish(store, settings, summary, now, FeedChanges(before, after, ingest.changed_keys))
    return summary


def _items(scan: Scan) -> list[ParsedItem]:
    return [item for scanned in scan.parsed for item in scanned.items]


@dataclass(frozen=True)
class _ChunkWrites:
    """What storing each chunk of a refresh's files needs besides the chunk."""

    context: RefreshContext
    plan: FolderPlan
    chosen: list[SourceConfig]
    web: list[tuple[WebSourceConfig, WebRead]]
    paused: set[str]
    ingest: Ingest
    summary: RefreshSummary
    now: datetime

    def store(
        self,
        scan: Scan,
        last: bool,
        unsettled: set[str],
        versions: tuple[dict[str, int] | None, dict[str, int]],
    ) -> tuple[dict[str, int], dict[str, int]]:
        """Store one chunk's items and its files' scan state in one transaction (the
        last chunk: with the sources' own state). Returns the feed versions before the
        first chunk, and as this one leaves them."""
        plan, chosen, web, paused = self.plan, self.chosen, self.web, self.paused
        ingest, summary, now = self.ingest, self.summary, self.now
        before, after = versions
        with self.context.store.write() as writer:
            if before is None:
                before = writer.feed_versions()
                after = dict(before)
                # A changed folder's recorded listing goes with its first stored file,
                # and comes back only once the whole folder has been scanned.
                for name in plan.listings:
                    writer.delete_meta(listing_meta(name))
            for scanned in scan.parsed:
                ingest.add_file(scanned)
            if last:  # the sources' own state goes with their last files
                for name in (s.name for s in chosen if s.name not in paused):
                    writer.record_scan(name, now, summary.failed_sources.get(name))
                for source, read in web:
                    if read.items is not None:
                        ingest.add(source.name, mask_url(source.url), read.items)
                    writer.save_web_state(source.name, read.state)  # with its items
                for name, paths in plan.vanished:
                    writer.forget_files(name, paths)
                for name, fingerprint in plan.listings.items():
                    if name not in unsettled:
                        writer.set_meta(listing_meta(name), fingerprint)
            changed = ingest.run(writer, self.context.cancel)
            for name, touched in groupby(scan.touched, key=lambda entry: entry[0]):
                writer.save_file_states(name, [state for _, state in touched], now)
            writer.bump_feeds(changed, now)
        # Counted, not read back: versions another worker moved meanwhile must differ from
        # these, so that publishing renders everything.
        return before, after | {feed: after.get(feed, 0) + 1 for feed in changed}
