"""Lint and type checks run as tests, so CI enforces them with the README's command."""

import shutil
import subprocess

import pytest
from conftest import REPO


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(command[0]) is None:
        pytest.fail(
            f"{command[0]} is not installed: install the test extra (pip install -e '.[test]')"
        )
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True)


def test_ruff_check_is_clean() -> None:
    result = run_tool("ruff", "check", "feeder", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes_on_the_package() -> None:
    result = run_tool("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
