"""The folder part of a refresh: which files changed (stat only), then reading and
parsing those, a chunk at a time. Nothing here writes: the refresh stores each
chunk's items with its files' scan state.

    sources.list_folder | recorded listing? | decider.plan_scan
      | sources.read_file | SeedParser.parse_bytes           (changed files only)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from threading import Event

from feeder.config import FolderSourceConfig
from feeder.errors import RefreshCancelled
from feeder.model import FileState, RefreshSummary, ScannedFile, SourceFile, source_message
from feeder.parse import ParseError, SeedParser
from feeder.refresh.context import ProgressCallback
from feeder.refresh.decider import NOT_READ, listing_fingerprint, plan_scan
from feeder.sources import FileTooLarge, SourceError, list_folder, read_file
from feeder.store import Storage


@dataclass
class FolderPlan:
    """What scanning the folder sources needs to do."""

    work: list[tuple[SourceFile, FileState | None]] = field(default_factory=list)  # to read
    vanished: list[tuple[str, list[str]]] = field(default_factory=list)  # paths gone per source
    listings: dict[str, str] = field(default_factory=dict)  # fingerprint of each changed folder


@dataclass
class Scan:
    """What reading a chunk of files produced, waiting to be written in one transaction."""

    parsed: list[ScannedFile] = field(default_factory=list)
    touched: list[tuple[str, FileState]] = field(default_factory=list)  # same bytes, new mtime
    unsettled: set[str] = field(default_factory=set)  # sources with a file to try again


def listing_meta(source: str) -> str:
    """The meta row holding a folder's listing fingerprint after its last complete scan."""
    return f"listing:{source}"


def plan_folders(
    store: Storage, sources: list[FolderSourceConfig], summary: RefreshSummary
) -> FolderPlan:
    """The files to read with their last state, the paths gone per source, and the
    listing fingerprint of each folder that changed: stat only. A folder whose listing
    is the one recorded after its last complete scan, with a state for each of its
    files, costs one row and a count, not a row per file."""
    plan = FolderPlan()
    for source in sources:
        try:
            listing = list_folder(source)
        except SourceError as exc:
            summary.add_error(source.name, str(exc))
            summary.failed_sources[source.name] = source_message(source.name, str(exc))
            continue
        files = listing.files
        fingerprint = listing_fingerprint(files, listing.skipped, source.max_bytes)
        recorded = store.recorded_listing(source.name, listing_meta(source.name))
        if recorded == (fingerprint, len(files)):
            summary.files_unchanged += len(files)
            continue
        plan.listings[source.name] = fingerprint
        summary.warnings += listing.skipped  # once: they are part of the recorded listing
        states = store.file_states(source.name)
        scan = plan_scan(files, states, source.max_bytes)
        summary.files_unchanged += len(scan.unchanged)
        plan.work += [(file, states.get(file.path)) for file in scan.to_read]
        if scan.vanished:
            plan.vanished.append((source.name, scan.vanished))
    return plan


def read_files(
    parser: SeedParser,
    files: list[tuple[SourceFile, FileState | None]],
    first: int,
    total: int,
    limits: Mapping[str, int],
    summary: RefreshSummary,
    on_progress: ProgressCallback | None,
    cancel: Event,
    keep_lease: Callable[[], None],
) -> Scan:
    """Read and parse `files` (numbered from `first + 1` of `total` for progress),
    each up to its source's byte limit in `limits`."""
    scan = Scan()
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
    scan: Scan,
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
