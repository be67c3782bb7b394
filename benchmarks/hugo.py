"""`python -m benchmarks hugo CORPUS`: feeder and Hugo side by side on the same items.

feeder runs the real `feeder refresh` on a copy of the corpus (cold, then one new
item, then nothing changed). Hugo is given the items feeder stored, as markdown with
their topics as tags, in a minimal site with a page per item and an HTML page and an
RSS feed per tag (Hugo's built-in RSS template), and builds it the same three times.
Wall times include each program's start-up; peak memory is the child's own maximum
resident set, read by GNU time."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from feeder.config import load_settings
from feeder.model import StoredItem
from feeder.store import Store

# One page template for everything Hugo lists: its home, tag lists and tag pages.
_LIST = """<!doctype html><html><head><title>{{ .Title }}</title>
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" \
href="{{ .Permalink }}">{{ end }}</head><body><h1>{{ .Title }}</h1><ul>
{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> \
{{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul></body></html>
"""
_SINGLE = """<!doctype html><html><head><title>{{ .Title }}</title></head><body>
<h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>
<p>{{ range .Params.tags }}<a href="{{ "tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a> \
{{ end }}</p>{{ .Content }}</body></html>
"""
_CONFIG = {
    "baseURL": "http://localhost:8080/",
    "title": "feeder benchmark",
    "disableKinds": ["sitemap", "robotsTXT", "404"],
    "taxonomies": {"tag": "tags"},
    "outputs": {"home": ["HTML", "RSS"], "term": ["HTML", "RSS"], "section": ["HTML"]},
    "paginate": 50,
    # feeder's feeds carry `feed_size` entries; Hugo's RSS the same number.
    "services": {"rss": {"limit": 50}},
}


@dataclass
class Runs:
    """Seconds of each run of one figure, and what the last build left on disk."""

    cold: list[float] = field(default_factory=list)
    one_new: list[float] = field(default_factory=list)
    unchanged: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)
    files: int = 0
    bytes: int = 0


def write_site(items: Iterable[StoredItem], site: Path) -> int:
    """A minimal Hugo site holding `items` as markdown pages; returns how many."""
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "layouts" / "_default" / "list.html").write_text(_LIST, encoding="utf-8")
    (site / "layouts" / "_default" / "single.html").write_text(_SINGLE, encoding="utf-8")
    (site / "config.json").write_text(json.dumps(_CONFIG, indent=1), encoding="utf-8")
    content = site / "content" / "items"
    content.mkdir(parents=True)
    count = 0
    for item in items:
        write_page(content, item.key, item.title, item.published.isoformat(),
                   list(item.topics), [block.text for block in item.blocks])  # fmt: skip
        count += 1
    return count


def write_page(
    folder: Path, key: str, title: str, date: str, tags: list[str], paragraphs: list[str]
) -> None:
    """One item as a markdown page; front matter in JSON, which Hugo reads as is."""
    front = json.dumps({"title": title, "date": date, "tags": tags}, ensure_ascii=False)
    body = "\n\n".join(paragraph.replace("\n", " ") for paragraph in paragraphs)
    name = hashlib.sha1(key.encode()).hexdigest()[:16]
    (folder / f"{name}.md").write_text(f"{front}\n\n{body}\n", encoding="utf-8")


def _timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak KiB of one child run (GNU time writes the peak)."""
    report = cwd / ".peak"
    started = time.perf_counter()
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(report), *command],
                   cwd=cwd, check=True, capture_output=True)  # fmt: skip
    seconds = time.perf_counter() - started
    return seconds, int(report.read_text().split()[-1])


def _output(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


_NEW_CAPTURE = "01.01.2030\n\nA benchmark entry in a new capture, about Kazakhstan.\n"


def run_feeder(corpus: Path, work: Path, runs: int, feeder_command: list[str]) -> Runs:
    """Cold, one-new-item and unchanged `feeder refresh` runs on a copy of `corpus`."""
    result = Runs()
    for _ in range(runs):
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(corpus, work / "captures")
        (work / "feeder.toml").write_text('[[sources]]\nname = "c"\npath = "captures"\n')
        seconds, peak = _timed([*feeder_command, "refresh", "--quiet"], work)
        result.cold.append(seconds)
        result.peak_kib.append(peak)
        (work / "captures" / "zz-new.txt").write_text(_NEW_CAPTURE, encoding="utf-8")
        result.one_new.append(_timed([*feeder_command, "refresh", "--quiet"], work)[0])
        result.unchanged.append(_timed([*feeder_command, "refresh", "--quiet"], work)[0])
    result.files, result.bytes = _output(work / "feeds")
    return result


def run_hugo(feeder_work: Path, work: Path, runs: int) -> tuple[Runs, int]:
    """Hugo's three builds of the items feeder stored in `feeder_work`."""
    settings = load_settings(feeder_work / "feeder.toml")
    store = Store(settings.database_url or f"sqlite:///{feeder_work / 'feeder.db'}")
    try:
        # The new item is written separately below, as for feeder.
        stored = (item for item in store.iter_items() if "benchmark entry" not in item.title)
        count = write_site(stored, work / "site")
    finally:
        store.close()
    result = Runs()
    site = work / "site"
    for _ in range(runs):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        (site / "content" / "items" / "zz-new.md").unlink(missing_ok=True)
        build = ["hugo", "--quiet"]
        seconds, peak = _timed(build, site)
        result.cold.append(seconds)
        result.peak_kib.append(peak)
        # Dated now: Hugo leaves out pages dated in the future (feeder dates them first seen).
        now = datetime.now(UTC).isoformat()
        write_page(site / "content" / "items", "zz-new", "A benchmark entry", now,
                   ["kazakhstan"], ["A benchmark entry."])  # fmt: skip
        result.one_new.append(_timed(build, site)[0])
        result.unchanged.append(_timed(build, site)[0])
    result.files, result.bytes = _output(site / "public")
    return result, count


def render(feeder: Runs, hugo: Runs, items: int) -> str:
    """The side-by-side table: medians (min-max) and feeder / Hugo ratios."""

    def shown(runs: list[float]) -> str:
        return f"{statistics.median(runs):.2f} s [{min(runs):.2f}-{max(runs):.2f}]"

    lines = [f"{items} items; medians of {len(feeder.cold)} runs",
             "figure | feeder | Hugo | feeder / Hugo"]  # fmt: skip
    for name in ("cold", "one_new", "unchanged"):
        ours, theirs = getattr(feeder, name), getattr(hugo, name)
        ratio = statistics.median(ours) / statistics.median(theirs)
        lines.append(f"{name} | {shown(ours)} | {shown(theirs)} | {ratio:.2f}")
    lines.append(f"output | {feeder.files} files, {feeder.bytes / 1e6:.1f} MB | "
                 f"{hugo.files} files, {hugo.bytes / 1e6:.1f} MB | "
                 f"{feeder.bytes / max(hugo.bytes, 1):.2f}")  # fmt: skip
    peaks = (max(feeder.peak_kib) / 1024, max(hugo.peak_kib) / 1024)
    lines.append(f"peak memory | {peaks[0]:.0f} MB | {peaks[1]:.0f} MB | "
                 f"{peaks[0] / peaks[1]:.2f}")  # fmt: skip
    return "\n".join(lines)


def side_by_side(corpus: Path, work: Path, runs: int) -> str:
    """Run both and return the table."""
    feeder_command = [str(Path(os.environ.get("FEEDER", shutil.which("feeder") or "feeder")))]
    feeder = run_feeder(corpus.resolve(), work / "feeder", runs, feeder_command)
    hugo, items = run_hugo(work / "feeder", work / "hugo", runs)
    return render(feeder, hugo, items)
