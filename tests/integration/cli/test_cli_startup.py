"""Start-up (issue 20): `feeder --help` loads the command line only. The database,
rendering, HTTP and scheduler stacks are imported by the commands that use them."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["sqlalchemy", "alembic", "jinja2", "feedgen", "httpx", "starlette", "apscheduler",
         "pydantic", "feeder.core", "feeder.store", "feeder.config"]  # fmt: skip

_LOADED = """
import json, sys
from feeder.cli import app
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_the_command_line_loads_none_of_the_heavy_stacks() -> None:
    done = subprocess.run([sys.executable, "-c", _LOADED], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert not loaded & set(HEAVY)


def test_help_runs_without_loading_the_core() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "feeder", "--help"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "refresh" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert not imported & set(HEAVY)


def test_the_package_still_offers_its_facade() -> None:
    from feeder import ConfigError, Feeder, Settings, load_settings, make_feeder

    assert Feeder.__module__ == "feeder.core" and callable(make_feeder)
    assert ConfigError.__module__ == "feeder.errors"
    assert Settings and callable(load_settings)
