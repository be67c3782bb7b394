"""A plain install does the main job: a wheel built from the checkout, installed into a
fresh venv, runs `feeder refresh` in an empty folder on the sample captures it ships."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import feedparser
import pytest
from conftest import REPO, SEED_ENTRIES, SEED_FILES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built the way `pip install .` builds one: in an isolated environment
    holding only what `build-system.requires` asks for."""
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("feeder-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed (no network: its dependencies come from
    the test run's own environment, added to the venv's path, never its editable
    checkout); the venv's `bin`."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (site,) = venv.glob("lib/python*/site-packages")
    # A path line only: the test environment's .pth files (its editable install of this
    # checkout among them) are not run for a directory added this way.
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python = venv / "bin" / "python"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
         str(wheel)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return venv / "bin"


def test_the_wheel_ships_the_sample_captures_and_the_defaults(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "feeder/default.toml" in names
    assert {f"feeder/sample/{path.name}" for path in SEED_FILES} <= names


def test_an_installed_feeder_refreshes_an_empty_folder_from_its_sample(
    installed: Path, tmp_path: Path
) -> None:
    where = subprocess.run(
        [installed / "python", "-c", "import feeder; print(feeder.__file__)"],
        capture_output=True, text=True, cwd=tmp_path, check=True,
    )  # fmt: skip
    assert str(installed.parent) in where.stdout  # the wheel's copy, not the checkout
    done = subprocess.run(
        [installed / "feeder", "refresh"], capture_output=True, text=True, cwd=tmp_path,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "the sample captures shipped with feeder" in done.stderr
    assert "site-packages/feeder/sample" in done.stderr
    feed = feedparser.parse((tmp_path / "feeds" / "all.atom").read_bytes())
    assert len(feed.entries) == SEED_ENTRIES
    status = subprocess.run(
        [installed / "feeder", "status", "--json"], capture_output=True, text=True,
        cwd=tmp_path, check=True,
    )  # fmt: skip
    assert (
        "site-packages/feeder/sample" in json.loads(status.stdout)["sources"]["seeds"]["location"]
    )


def test_an_installed_feeder_prints_its_version_and_writes_a_starter_config(
    installed: Path, tmp_path: Path
) -> None:
    shown = subprocess.run(
        [installed / "feeder", "--version"], capture_output=True, text=True, check=True
    )
    assert shown.stdout.startswith("feeder 0.")
    subprocess.run([installed / "feeder", "init", "site"], cwd=tmp_path, check=True)
    assert "title = " in (tmp_path / "site" / "feeder.toml").read_text(encoding="utf-8")
