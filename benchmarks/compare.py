"""`python -m benchmarks compare --before OTHER_CHECKOUT CORPUS`: the cold ingest and a
one-file incremental refresh of the same corpus by this feeder and another checkout
of it (say, the release before a change), runs interleaved so that both see the same
machine. Each run is a child process importing its checkout; the times are measured
inside it, around `Feeder.refresh`, so interpreter start-up is not counted."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import feeder

# Run in the child: a cold refresh of the corpus, then one more entry in one file and
# a refresh again. Only API both checkouts have (load_settings, make_feeder, refresh).
_DRIVER = """
import json, sys, time
from pathlib import Path
from feeder import load_settings, make_feeder
work, changed = Path(sys.argv[1]), Path(sys.argv[2])
with make_feeder(load_settings(work / "feeder.toml")) as feeder:
    started = time.perf_counter()
    feeder.refresh()
    cold = time.perf_counter() - started
    with changed.open("a", encoding="utf-8") as fh:
        fh.write("\\n\\n01.01.2030\\n\\nA benchmark entry added to one file.\\n")
    started = time.perf_counter()
    feeder.refresh()
    one_file = time.perf_counter() - started
    items = feeder.item_count()
print(json.dumps({"cold": cold, "one_file": one_file, "items": items}))
"""


@dataclass(frozen=True)
class Comparison:
    """Seconds per run of each checkout, and the ratio of medians (this / before)."""

    cold: dict[str, list[float]]
    one_file: dict[str, list[float]]
    items: int

    def ratio(self, figure: str) -> float:
        runs = getattr(self, figure)
        return statistics.median(runs["this"]) / statistics.median(runs["before"])


def compare(before: Path, corpus: Path, work: Path, runs: int = 3) -> Comparison:
    """Cold and one-file refreshes of `corpus` by this checkout and by `before`, `runs`
    times each, alternating."""
    trees = {"before": before.resolve(), "this": Path(feeder.__file__).resolve().parents[1]}
    cold: dict[str, list[float]] = {name: [] for name in trees}
    one_file: dict[str, list[float]] = {name: [] for name in trees}
    items = 0
    for _ in range(runs):
        for name, tree in trees.items():
            result = _run(tree, corpus, work / name)
            cold[name].append(result["cold"])
            one_file[name].append(result["one_file"])
            items = int(result["items"])
    return Comparison(cold, one_file, items)


def _run(tree: Path, corpus: Path, work: Path) -> dict[str, float]:
    """One child run on a fresh copy of the corpus (the one-file change edits it)."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(corpus, work / "captures")
    (work / "feeder.toml").write_text('[[sources]]\nname = "c"\npath = "captures"\n')
    changed = sorted((work / "captures").glob("*.txt"))[0]
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(work), str(changed)],
        env=env, cwd=work, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def render(comparison: Comparison) -> str:
    """The two figures as a table: medians, min and max, ratio."""
    lines = [f"{comparison.items} items", "figure | before | this | ratio"]
    for figure in ("cold", "one_file"):
        runs = getattr(comparison, figure)
        shown = {
            name: f"{statistics.median(v):.2f} s [{min(v):.2f}-{max(v):.2f}]"
            for name, v in runs.items()
        }
        lines.append(
            f"{figure} | {shown['before']} | {shown['this']} | {comparison.ratio(figure):.2f}"
        )
    return "\n".join(lines)
