"""A real `feeder serve` in a subprocess on an ephemeral loopback port, for tests."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

_LISTENING = re.compile(r"serving .* at (http://127\.0\.0\.1:\d+/)")


class ServiceProcess:
    """`feeder serve` run from `folder` (its feeder.toml), with its log collected."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.folder = folder
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "feeder", "serve", "--port", "0", "--no-access-log", *args],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()
        self.url = ""

    def _pump(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))
            self._queue.put(line)
        self._queue.put(None)

    def wait_for_log(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        """Block until a log line matches `pattern` (searching lines already seen first)."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            for line in self.lines[seen:]:
                if match := regex.search(line):
                    return match
            seen = len(self.lines)
            if self.proc.poll() is not None and self._queue.empty():
                break
            time.sleep(0.02)
        raise AssertionError(f"no log line matching {pattern!r}; log:\n" + "\n".join(self.lines))

    def start(self) -> ServiceProcess:
        self.url = self.wait_for_log(_LISTENING.pattern)[1]
        return self

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10)

    def wait_until(self, check, timeout: float = 10, every: float = 0.05):  # type: ignore[no-untyped-def]
        """Poll `check()` until it returns something truthy; return that."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if result := check():
                return result
            time.sleep(every)
        raise AssertionError(
            f"condition not met within {timeout} s; log:\n" + "\n".join(self.lines)
        )

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, then the exit status once the process has ended."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        status = self.proc.wait(timeout=timeout)
        self._close()
        return status

    def _close(self) -> None:
        self._pump_thread.join(timeout=5)
        if self.proc.stderr:
            self.proc.stderr.close()

    def __enter__(self) -> ServiceProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._close()
