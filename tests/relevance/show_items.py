"""List the items feeder parses from captures, to label them.

Usage: `python tests/relevance/show_items.py FILE...`.

Prints each item's kind, key, date, title and paragraph count, as the labels refer to them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from feeder.parse import SeedParser


def main(paths: list[str]) -> None:
    parser = SeedParser()
    for path in paths:
        result = parser.parse_bytes(Path(path).read_bytes())
        print(f"== {path}: {len(result.items)} items")
        for warning in result.warnings:
            print(f"   warning: {warning}")
        for item in result.items:
            blocks = "".join(block.kind for block in item.blocks)
            day = str(item.day or "undated")
            print(f"   {item.kind:8} {item.key} {day:10} {len(blocks):3} blocks")
            print(f"            {item.title}")


if __name__ == "__main__":
    main(sys.argv[1:])
