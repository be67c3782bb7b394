"""`ruff check` stays clean: run as a test so CI enforces it with the README command."""

import shutil
import subprocess

import pytest
from conftest import REPO


def test_ruff_check_is_clean() -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed: install the test extra (pip install -e '.[test]')")
    result = subprocess.run(
        [ruff, "check", "feeder", "tests"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
