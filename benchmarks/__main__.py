"""`python -m benchmarks corpus DIR ...` writes a corpus; `python -m benchmarks run`
measures (see measure.py) and prints a table, writing the figures as JSON;
`python -m benchmarks compare` times two checkouts on one corpus (see compare.py);
`python -m benchmarks hugo` runs feeder and Hugo side by side (see hugo.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.compare import compare, render
from benchmarks.corpus import write_corpus
from benchmarks.hugo import side_by_side
from benchmarks.measure import render_table, run_benchmarks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    commands = parser.add_subparsers(dest="command", required=True)
    corpus = commands.add_parser("corpus", help="write a deterministic corpus of captures")
    corpus.add_argument("dir", type=Path)
    corpus.add_argument("--files", type=int, default=1000)
    corpus.add_argument("--items-per-file", type=int, default=10)
    corpus.add_argument("--overlap", type=float, default=0.3)
    corpus.add_argument("--seed", type=int, default=1)
    run = commands.add_parser("run", help="measure, print a table, write JSON")
    run.add_argument("--work", type=Path, default=Path("bench-work"))
    run.add_argument("--files", type=int, default=10_000)
    run.add_argument("--items-per-file", type=int, default=16)  # ~100,000 items
    run.add_argument("--runs", type=int, default=3)
    run.add_argument("--seed", type=int, default=1)
    run.add_argument("--json", type=Path, default=Path("bench-results.json"))
    run.add_argument(
        "--http-seconds", type=int, default=5, help="seconds of each wrk run (default 5)"
    )
    against = commands.add_parser(
        "compare", help="cold and one-file refreshes, this checkout against another"
    )
    against.add_argument("corpus", type=Path, help="a corpus written by `corpus`")
    against.add_argument("--before", type=Path, required=True, help="the other checkout")
    against.add_argument("--work", type=Path, default=Path("bench-compare"))
    against.add_argument("--runs", type=int, default=3)
    peer = commands.add_parser("hugo", help="feeder and Hugo side by side on the same items")
    peer.add_argument("corpus", type=Path, help="a corpus written by `corpus`")
    peer.add_argument("--work", type=Path, default=Path("bench-hugo"))
    peer.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if args.command == "hugo":
        print(side_by_side(args.corpus, args.work, args.runs))
        return 0
    if args.command == "compare":
        compared = compare(args.before, args.corpus, args.work, args.runs)
        print(render(compared))
        return 0
    if args.command == "corpus":
        stats = write_corpus(args.dir, args.files, args.items_per_file, args.overlap, args.seed)
        print(f"{stats.files} files, {stats.listing_entries} listing entries, "
              f"{stats.distinct_items} distinct items in {args.dir}")  # fmt: skip
        return 0
    figures = run_benchmarks(
        args.work, args.files, args.items_per_file, args.runs, args.seed, args.http_seconds
    )
    print(render_table(figures))
    args.json.write_text(json.dumps([f.as_dict() for f in figures], indent=2, default=str))
    print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
