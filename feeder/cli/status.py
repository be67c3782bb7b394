"""`feeder status`: each source's scans and standing, the topics, where data lives."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

from rich.table import Table

from feeder.cli.terminal import (
    EXIT_FATAL,
    ConfigOption,
    JsonOption,
    fail,
    folder_shown,
    open_feeder,
    out,
)
from feeder.config import FolderSourceConfig
from feeder.service.health import OK, backoff_interval, scan_standing
from feeder.store import StoreError


def status(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Show each source's last and next scan, the topics, and where data lives.

    Reads the database, so it works whether or not `feeder serve` is running.
    """
    with open_feeder(config) as feeder:
        try:
            sources = feeder.source_statuses()
            topic_list = feeder.topics()
            service = feeder.service_pid()
            shared, scanners = feeder.shared, feeder.scanners()
            pauses = {
                source.name: feeder.web_state(source.name).retry_after
                for source in feeder.settings.sources
                if not isinstance(source, FolderSourceConfig)
            }
            feeder_now = feeder.now()
            intervals = {source.name: source.interval for source in feeder.settings.sources}
            locations = {source.name: source.location for source in feeder.settings.sources}
        except StoreError as exc:
            fail(f"error: {exc}", EXIT_FATAL)
        settings = feeder.settings
    if as_json:
        document = {
            "service_pid": service,
            "shared": shared,
            "database": feeder.database,
            "feeds_dir": str(settings.feeds_dir),
            "sources": {
                name: {
                    k: (v.isoformat() if isinstance(v, datetime) else v)
                    for k, v in asdict(s).items()
                }
                | {
                    "location": locations[name],
                    "worker": scanners.get(name, (None, False))[0],
                    "scanning": scanners.get(name, (None, False))[1],
                    "paused_until": _iso(pauses.get(name)),
                    "next_interval_seconds": backoff_interval(intervals[name], s.failures),
                    "status": scan_standing(
                        s.failures, s.last_success, intervals[name], feeder_now
                    ),
                }
                for name, s in sources.items()
            },
            "topics": {t.slug: t.items for t in topic_list},
        }
        out.print_json(json.dumps(document))
        return
    running = "not running" if not service else f"running (pid {service if service > 0 else '?'})"
    if shared:
        running = "any number of workers share this database (see 'worker' below)"
    out.print(
        f"service: {running}\ndatabase: {feeder.database}\nfeeds: {settings.feeds_dir}",
        soft_wrap=True,
        highlight=False,
    )
    table = Table(title="sources", show_header=True)
    columns = ["source", "path", "interval", "last scan", "result", "next scan", "failures"]
    for column in columns + (["worker"] if shared else []):
        table.add_column(column, overflow="fold")  # never cut a path or an error short
    for config_source in settings.sources:
        s = sources[config_source.name]
        result = (
            "never scanned"
            if s.last_scan is None
            else ("ok" if not s.last_error else f"failed: {s.last_error}")
        )
        standing = scan_standing(s.failures, s.last_success, config_source.interval, feeder_now)
        if standing != OK:  # degraded: never succeeded; failing: for too long or too often
            result = f"{standing} ({result})"
        interval = f"{config_source.interval:g} s"
        if s.failures:
            interval += (
                f" (backing off: {backoff_interval(config_source.interval, s.failures):g} s)"
            )
        if (paused := pauses.get(s.source)) and feeder_now < paused:
            result += f"; paused until {_when(paused)} (Retry-After)"
        row = [
            s.source,
            folder_shown(config_source)
            if isinstance(config_source, FolderSourceConfig)
            else config_source.location,
            interval,
            _when(s.last_scan),
            result,
            _when(s.next_run) if service or shared else "(service not running)",
            str(s.failures),
        ]
        if shared:
            worker, scanning = scanners.get(s.source, ("", False))
            row.append(f"{worker} (scanning now)" if scanning else worker)
        table.add_row(*row)
    out.print(table)
    topics_table = Table(title="topics", show_header=True)
    for column in ("slug", "title", "items"):
        topics_table.add_column(column)
    for t in topic_list:
        topics_table.add_row(t.slug, t.title, str(t.items))
    out.print(topics_table)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"
