"""Lint and type checks run as tests, so CI enforces them with the README's command."""

import importlib.util
import subprocess
import sys

import pytest
from conftest import REPO


def run_module(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"{module} is not installed: install the test extra (pip install -e '.[test]')")
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True
    )


def test_ruff_check_is_clean() -> None:
    result = run_module("ruff", "check", "feeder", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes_on_the_package() -> None:
    result = run_module("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
