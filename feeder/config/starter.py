"""`feeder init`: a commented starter `feeder.toml` holding the built-in defaults, so
nobody has to dig for them in site-packages."""

from __future__ import annotations

import re
from pathlib import Path

from feeder.config.loading import CONFIG_NAME, DEFAULT_CONFIG
from feeder.errors import StarterExistsError

_HEADER = """\
# feeder's configuration, written by `feeder init` with the built-in defaults.
# Every key is optional: delete what you do not change. `feeder status` shows what
# is in use, `feeder explain KEY` why an item is in a topic.
"""
_SOURCES = """\
# Sources. Without a [[sources]] table, feeder reads this folder's seeds/ when it
# exists, else the sample captures shipped with it. Name your own like this (web
# sources: type = "feed", "html" or "text", with a url; see the README):
# [[sources]]
# name = "seeds"
# type = "folder"
# path = "seeds"
"""
_BASE_URL = """\
# Where readers reach the feeds. Unset, `feeder serve` uses its own address.
# base_url = "http://127.0.0.1:8080/"
"""


def starter_config() -> str:
    """The built-in defaults as a commented file: the sources and the base URL left to
    their defaults, which depend on where feeder runs."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    body = text[text.index("\ntitle = ") + 1 :]  # past the built-in file's own header
    body = re.sub(r"(?m)^base_url = .*\n", _BASE_URL, body, count=1)
    body = re.sub(r"(?ms)^\[\[sources\]\]\n.*?\n\n", _SOURCES + "\n", body, count=1)
    return _HEADER + "\n" + body


def write_starter(folder: Path, force: bool = False) -> Path:
    """Write the starter `feeder.toml` into `folder` (made if missing); the file's path.
    `StarterExistsError` when one exists and not `force`."""
    target = folder / CONFIG_NAME
    if target.exists() and not force:
        raise StarterExistsError(f"{target}: already exists (use --force to overwrite it)")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(starter_config(), encoding="utf-8")
    return target
