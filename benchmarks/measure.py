"""The measurements of issue 6, each against a baseline taken in the same run on the
same data, reported as median, min and max of several runs.

Cold ingests run `feeder refresh` in a child process (the real command, its peak
memory read from the kernel); rescans, queries and publishing run in this process,
so interpreter start-up does not drown them out.
The HTTP figures (serving a feed, searching) are measured in `http_figures`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from benchmarks.corpus import write_corpus
from benchmarks.figures import Figure, render_table
from benchmarks.http_figures import measure_http
from benchmarks.tagging import measure_tagging
from feeder.config import load_settings
from feeder.core import make_feeder
from feeder.publish import FEED_VIEWS

__all__ = ["Figure", "measure_http", "render_table", "run_benchmarks"]


def _config(workdir: Path, captures: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "feeder.toml"
    config.write_text(f'[[sources]]\nname = "captures"\npath = "{captures}"\n', encoding="utf-8")
    return config


# Runs `feeder refresh` and writes the process's own peak memory (VmHWM) on exit. The
# kernel's rusage figures would not do: a child started from this (large) process
# inherits its high-water mark through fork and exec.
_REFRESH_REPORTING_PEAK = """
import atexit, pathlib, sys
report = pathlib.Path(sys.argv[1])
def peak():
    status = pathlib.Path("/proc/self/status").read_text()
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
    report.write_text(kib)
atexit.register(peak)
sys.argv = ["feeder", *sys.argv[2:]]
from feeder.cli import app
app()
"""


def _cold_ingest(workdir: Path, captures: Path) -> tuple[float, int, int]:
    """(seconds, peak RSS in KiB, items stored) of `feeder refresh` on an empty database."""
    shutil.rmtree(workdir, ignore_errors=True)
    config = _config(workdir, captures)
    report = workdir / "peak-kib"
    started = time.perf_counter()
    status = subprocess.run(
        [sys.executable, "-c", _REFRESH_REPORTING_PEAK, str(report),
         "refresh", "--quiet", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        check=False,
    ).returncode  # fmt: skip
    seconds = time.perf_counter() - started
    if status not in (0, 1):
        raise RuntimeError(f"feeder refresh failed with exit status {status}")
    with sqlite3.connect(workdir / "feeder.db") as db:
        items = db.execute("SELECT count(*) FROM items").fetchone()[0]
    return seconds, int(report.read_text()), items


def _raw_insert(source_db: Path, scratch: Path) -> float:
    """Seconds to insert the same item rows into an equivalent table (same columns
    and indexes) with plain sqlite3 `executemany`, in one transaction."""
    with sqlite3.connect(source_db) as db:
        ddl = [
            sql
            for (sql,) in db.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'items' AND sql IS NOT NULL"
                " AND type IN ('table', 'index') ORDER BY type DESC"
            )
        ]
        columns = [row[1] for row in db.execute("PRAGMA table_info(items)")]
        rows = db.execute(f"SELECT {', '.join(columns)} FROM items").fetchall()
    scratch.unlink(missing_ok=True)
    target = sqlite3.connect(scratch, isolation_level=None)
    try:
        target.execute("PRAGMA journal_mode=WAL")
        for statement in ddl:
            target.execute(statement)
        marks = ", ".join("?" * len(columns))
        started = time.perf_counter()
        target.execute("BEGIN")
        target.executemany(f"INSERT INTO items ({', '.join(columns)}) VALUES ({marks})", rows)
        target.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        target.close()
        scratch.unlink(missing_ok=True)


def _scandir_stat(folder: Path) -> float:
    started = time.perf_counter()
    with os.scandir(folder) as entries:
        for entry in entries:
            entry.stat()
    return time.perf_counter() - started


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def run_benchmarks(
    work: Path,
    files: int,
    items_per_file: int,
    runs: int = 3,
    seed: int = 1,
    http_seconds: int = 5,
) -> list[Figure]:
    """Every figure of issue 6 on a corpus of `files` captures (and ones a tenth and
    three tenths of that size, for growth), built in `work`."""
    big, mid, small = work / "corpus", work / "corpus-30", work / "corpus-10"
    for folder, count in ((big, files), (mid, files * 3 // 10), (small, max(1, files // 10))):
        shutil.rmtree(folder, ignore_errors=True)
        write_corpus(folder, count, items_per_file, seed=seed)
    figures: list[Figure] = []

    # Cold ingest, end to end, against raw executemany of the same rows.
    cold = [_cold_ingest(work / "cold", big) for _ in range(runs)]
    items = cold[0][2]
    raw = [_raw_insert(work / "cold" / "feeder.db", work / "raw.db") for _ in range(runs)]
    ingest = Figure(
        "cold ingest", "items/s", [items / s for s, _, _ in cold], [items / s for s in raw],
        target=">= 0.5 x baseline", notes={"files": files, "items": items},
    )  # fmt: skip
    ingest.ratio = ingest.median / (ingest.baseline or 1)
    ingest.met = ingest.ratio >= 0.5
    figures.append(ingest)

    # Peak memory of the cold ingest as the corpus grows tenfold.
    small_cold = [_cold_ingest(work / "cold-small", small) for _ in range(runs)]
    memory = Figure(
        "peak RSS of the cold ingest", "MiB", [rss / 1024 for _, rss, _ in cold],
        [rss / 1024 for _, rss, _ in small_cold], target="flat from 10x fewer items (<= 1.25 x)",
        notes={"items": items, "baseline_items": small_cold[0][2]},
    )  # fmt: skip
    memory.ratio = memory.median / (memory.baseline or 1)
    memory.met = memory.ratio <= 1.25
    figures.append(memory)

    # Cost per item at three corpus sizes: it must not grow with the corpus. Whole
    # runs include a fixed start-up cost, which flatters the small corpus; the verdict
    # compares the marginal cost of the items added from 30% to 100% with that of
    # those added from 10% to 30%.
    mid_cold = [_cold_ingest(work / "cold-30", mid) for _ in range(runs)]
    sizes = {"10%": small_cold, "30%": mid_cold, "100%": cold}
    per_item = {label: [s / n * 1e6 for s, _, n in runs_] for label, runs_ in sizes.items()}
    took = {label: statistics.median(s for s, _, _ in runs_) for label, runs_ in sizes.items()}
    counts = {label: runs_[0][2] for label, runs_ in sizes.items()}

    def marginal(small_label: str, big_label: str) -> float:
        added = max(counts[big_label] - counts[small_label], 1)
        return (took[big_label] - took[small_label]) / added * 1e6

    scaling = Figure(
        "cold ingest cost per item", "us/item", per_item["100%"], per_item["10%"],
        target="marginal cost 30%->100% <= 1.25 x that of 10%->30%",
        notes={
            "items": counts,
            "us_per_item_median": {k: statistics.median(v) for k, v in per_item.items()},
            "marginal_us_per_item": {"10%->30%": marginal("10%", "30%"),
                                     "30%->100%": marginal("30%", "100%")},
        },
    )  # fmt: skip
    scaling.ratio = marginal("30%", "100%") / max(marginal("10%", "30%"), 1e-9)
    scaling.met = scaling.ratio <= 1.25
    figures.append(scaling)

    settings = load_settings(_config(work / "cold", big))
    figures.append(measure_tagging(settings, big, runs))
    clock = [datetime.now(UTC)]
    with make_feeder(settings, clock=lambda: clock[0]) as feeder:
        # Rescan with nothing changed, against scandir + stat of the same files.
        rescans = []
        for _ in range(runs):
            clock[0] += timedelta(minutes=5)
            seconds, summary = _timed(feeder.refresh)
            assert summary.files_scanned == 0, "an unchanged rescan read files"
            rescans.append(seconds)
        listing = [_scandir_stat(big) for _ in range(runs)]
        unchanged = Figure(
            "rescan, nothing changed", "s", rescans, listing, target="<= 1.5 x baseline",
            notes={"files": files, "files_read": 0},
        )  # fmt: skip
        unchanged.ratio = unchanged.median / (unchanged.baseline or 1)
        unchanged.met = unchanged.ratio <= 1.5
        figures.append(unchanged)

        # Rescan after 1% of the files changed; publish only what changed.
        changed_runs, rendered, pages = [], [], []
        step = 100  # 1 %
        for run in range(runs):
            for path in sorted(big.glob("*.txt"))[run::step]:
                with path.open("a", encoding="utf-8") as fh:
                    fh.write(f"\n\n01.01.2030\n\nBenchmark run {run} added this to {path.name}.\n")
            clock[0] += timedelta(minutes=5)
            seconds, summary = _timed(feeder.refresh)
            changed_runs.append(seconds)
            rendered.append(summary.feeds_rendered)
            pages.append(summary.pages_written)
        per_file = statistics.median(s for s, _, _ in cold) / files
        allowance = 1.5 * unchanged.median + per_file * (files // step)
        touched = Figure(
            "rescan, 1% of files changed", "s", changed_runs, [allowance] * runs,
            target="<= 1.5 x unchanged rescan + cold cost of those files",
            notes={"changed_files": files // step, "cold_seconds_per_file": per_file},
        )  # fmt: skip
        touched.ratio = touched.median / allowance
        touched.met = touched.ratio <= 1
        figures.append(touched)
        total_feeds = len(FEED_VIEWS) * len(feeder.feed_names())
        publish = Figure(
            "publish after a small change", "feeds rendered", [float(r) for r in rendered],
            [float(total_feeds)] * runs, target="only the feeds whose content changed",
            notes={"item_pages_written": pages, "feeds_in_all": total_feeds},
        )  # fmt: skip
        publish.ratio = publish.median / total_feeds
        publish.met = max(rendered) < total_feeds
        figures.append(publish)

        # The newest 50 of the most common topic, against a plain join sorted after.
        topic = max(feeder.store.topic_counts().items(), key=lambda kv: kv[1])[0]
        plain_sql = text(
            "SELECT items.* FROM items JOIN item_topics ON item_topics.item_id = items.id"
            " WHERE item_topics.topic = :topic ORDER BY items.published DESC, items.key LIMIT 50"
        )
        ours_sql = feeder.store.newest_query(50, topic)
        with feeder.store.engine.connect() as conn:
            # Both as SQL alone (the rows fetched); latest_items sorts its 50 rows after.
            ours = [_timed(lambda: conn.execute(ours_sql).all())[0] for _ in range(runs * 5)]
            plain = [
                _timed(lambda: conn.execute(plain_sql, {"topic": topic}).all())[0]
                for _ in range(runs * 5)
            ]
            compiled = ours_sql.compile(conn, compile_kwargs={"literal_binds": True})
            plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]
        latest = Figure(
            "newest 50 items of a topic", "ms", [s * 1000 for s in ours], [s * 1000 for s in plain],
            target=">= 20 x faster, no temp B-tree", notes={"topic": topic, "query_plan": plan},
        )  # fmt: skip
        latest.ratio = (latest.baseline or 0) / latest.median
        latest.met = latest.ratio >= 20 and not any("TEMP B-TREE" in step for step in plan)
        figures.append(latest)
    figures += measure_http(work / "cold", settings.feeds_dir, runs, http_seconds)
    return figures
