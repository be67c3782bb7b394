"""`feeder status`: each source's scans and standing, the topics, where data lives."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from feeder.cli.terminal import (
    EXIT_FATAL,
    ConfigOption,
    JsonOption,
    fail,
    folder_shown,
    open_feeder,
    out,
)
from feeder.errors import StoreError

if TYPE_CHECKING:
    from feeder.core.status import SourceReport, StatusReport


def status(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Show each source's last and next scan, the topics, and where data lives.

    Reads the database, so it works whether or not `feeder serve` is running.
    """
    from rich.table import Table

    from feeder.config import FolderSourceConfig

    with open_feeder(config) as feeder:
        try:
            report = feeder.status()
        except StoreError as exc:
            fail(f"error: {exc}", EXIT_FATAL)
        folders = {s.name: s for s in feeder.settings.sources if isinstance(s, FolderSourceConfig)}
    if as_json:
        out.print_json(json.dumps(_document(report)))
        return
    service, shared = report.service_pid, report.shared
    running = "not running" if not service else f"running (pid {service if service > 0 else '?'})"
    if shared:
        running = "any number of workers share this database (see 'worker' below)"
    out.print(
        f"service: {running}\ndatabase: {report.database}\nfeeds: {report.feeds_dir}",
        soft_wrap=True,
        highlight=False,
    )
    table = Table(title="sources", show_header=True)
    columns = ["source", "path", "interval", "last scan", "result", "next scan", "failures"]
    for column in columns + (["worker"] if shared else []):
        table.add_column(column, overflow="fold")  # never cut a path or an error short
    for source in report.sources.values():
        folder = folders.get(source.name)
        row = [
            source.name,
            folder_shown(folder) if folder else source.location,
            _interval(source),
            _when(source.scans.last_scan),
            _result(source, report),
            _when(source.scans.next_run) if service or shared else "(service not running)",
            str(source.failures),
        ]
        if shared:
            worker = source.worker or ""
            row.append(f"{worker} (scanning now)" if source.scanning else worker)
        table.add_row(*row)
    out.print(table)
    topics_table = Table(title="topics", show_header=True)
    for column in ("slug", "title", "items"):
        topics_table.add_column(column)
    for t in report.topics:
        topics_table.add_row(t.slug, t.title, str(t.items))
    out.print(topics_table)


def _document(report: StatusReport) -> dict[str, Any]:
    """`feeder status --json`: the report, times in ISO 8601."""
    return {
        "service_pid": report.service_pid,
        "shared": report.shared,
        "database": report.database,
        "feeds_dir": str(report.feeds_dir),
        "sources": {
            name: {k: _iso(v) if isinstance(v, datetime) else v for k, v in asdict(s.scans).items()}
            | {
                "location": s.location,
                "worker": s.worker,
                "scanning": s.scanning,
                "paused_until": _iso(s.paused_until),
                "next_interval_seconds": s.next_interval,
                "status": s.standing,
            }
            for name, s in report.sources.items()
        },
        "topics": {t.slug: t.items for t in report.topics},
    }


def _interval(source: SourceReport) -> str:
    shown = f"{source.interval:g} s"
    if source.failures:
        shown += f" (backing off: {source.next_interval:g} s)"
    return shown


def _result(source: SourceReport, report: StatusReport) -> str:
    from feeder.core.status import OK

    scans = source.scans
    result = (
        "never scanned"
        if scans.last_scan is None
        else ("ok" if not scans.last_error else f"failed: {scans.last_error}")
    )
    if source.standing != OK:  # degraded: never succeeded; failing: for too long or too often
        result = f"{source.standing} ({result})"
    if source.paused(report.now):
        result += f"; paused until {_when(source.paused_until)} (Retry-After)"
    return result


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"
