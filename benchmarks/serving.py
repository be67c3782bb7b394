"""HTTP load figures: `feeder serve` against nginx and `python -m http.server` serving
the same feed file, measured with wrk, and the search feed's latency.

The servers run as child processes on loopback ports; wrk (Debian's `wrk`) makes the
load from another process, as issue 6 asks (`wrk -t2 -c50`).
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

WRK_THREADS, WRK_CONNECTIONS = 2, 50


class ServerFailed(RuntimeError):
    """A server under test did not start or gave unexpected answers."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def feed_near(feeds: Path, size: int = 100_000) -> str:
    """The name of the Atom feed in `feeds` whose size is nearest `size` bytes."""
    candidates = [p for p in feeds.glob("*.atom") if p.is_file()]
    if not candidates:
        raise ServerFailed(f"no Atom feed in {feeds}")
    return min(candidates, key=lambda p: abs(p.stat().st_size - size)).name


def _wait_until_up(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"{what} exited with status {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise ServerFailed(f"{what} did not answer {url} within 60 s")


@contextmanager
def _running(command: list[str], url: str, what: str, log: Path) -> Iterator[None]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(url, process, what)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def feeder_serving(config: Path, port: int, log: Path, probe: str) -> Iterator[str]:
    """`feeder serve` on `port` (no access log, as under load), once its first scan
    of every source has finished; yields its base URL."""
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "feeder", "serve", "--config", str(config),
               "--port", str(port), "--no-access-log"]  # fmt: skip
    started = datetime.now(UTC)
    with _running(command, f"{base}/{probe}", "feeder serve", log):
        _wait_for_first_scans(base, started)
        yield base


def _wait_for_first_scans(base: str, started: datetime) -> None:
    """Block until /health shows every source scanned since `started` and none
    scanning: the service's start-up rescan must not share the cores with the load."""

    def scanned(source: dict[str, str | None]) -> bool:
        last = source["last_scan"]
        return bool(last) and datetime.fromisoformat(str(last)) >= started.replace(microsecond=0)

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        sources = httpx.get(f"{base}/health", timeout=10).json()["sources"]
        if all(scanned(s) and not s["running_since"] for s in sources.values()):
            return
        time.sleep(0.2)
    raise ServerFailed(f"feeder serve at {base} did not finish its first scan in 600 s")


@contextmanager
def nginx_serving(root: Path, port: int, work: Path, probe: str) -> Iterator[str]:
    """Debian's nginx with one worker process serving `root`; yields its base URL."""
    work.mkdir(parents=True, exist_ok=True)
    config = work / "nginx.conf"
    temp = " ".join(
        f"{kind}_temp_path {work};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # The worker runs as this process's user: the default (www-data) may not read `root`.
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    config.write_text(
        f"user {user} {group};\nworker_processes 1;\ndaemon off;\n"
        f"pid {work}/nginx.pid;\nerror_log {work}/error.log;\n"
        "events { worker_connections 1024; }\n"
        "http {\n  access_log off;\n  types { application/atom+xml atom; }\n"
        f"  {temp}\n  server {{ listen 127.0.0.1:{port}; root {root}; }}\n}}\n",
        encoding="utf-8",
    )
    base = f"http://127.0.0.1:{port}"
    command = ["nginx", "-c", str(config), "-p", str(work)]
    with _running(command, f"{base}/{probe}", "nginx", work / "stdout.log"):
        yield base


@contextmanager
def http_server_serving(root: Path, port: int, log: Path, probe: str) -> Iterator[str]:
    """`python -m http.server` serving `root`; yields its base URL."""
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
               "--directory", str(root)]  # fmt: skip
    with _running(command, f"{base}/{probe}", "http.server", log):
        yield base


# What wrk sends: no Accept-Encoding, so the uncompressed form and its ETag.
_AS_WRK = {"Accept-Encoding": "identity"}


def revalidation_header(url: str) -> tuple[str, str]:
    """The conditional header a reader sends on its next poll of `url` (If-None-Match
    when the server gives an ETag, else If-Modified-Since), checked to give a 304."""
    first = httpx.get(url, headers=_AS_WRK, timeout=10)
    if "etag" in first.headers:
        header = ("If-None-Match", first.headers["etag"])
    elif "last-modified" in first.headers:
        header = ("If-Modified-Since", first.headers["last-modified"])
    else:
        raise ServerFailed(f"{url} gives neither an ETag nor a Last-Modified")
    again = httpx.get(url, headers={**_AS_WRK, header[0]: header[1]}, timeout=10)
    if again.status_code != 304:
        raise ServerFailed(f"{url} answered a revalidation with {again.status_code}, not 304")
    return header


_RATE = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.MULTILINE)
_TRANSFER = re.compile(r"^Transfer/sec:\s+([0-9.]+)([KMG]?B)", re.MULTILINE)
_NOT_OK = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: (.*)")
_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


@dataclass(frozen=True)
class Load:
    """What one wrk run measured."""

    rate: float  # requests per second
    bytes_per_request: float  # headers and body, as read off the socket
    socket_errors: str | None  # wrk's line, e.g. "connect 0, read 0, write 0, timeout 3"


def wrk(url: str, seconds: int, header: tuple[str, str] | None = None) -> Load:
    """What `wrk -t2 -c50` gets from `url`. Raises `ServerFailed` when any answer was
    not a 2xx or 3xx."""
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s"]
    if header:
        command += ["-H", f"{header[0]}: {header[1]}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True
    ).stdout  # fmt: skip
    not_ok = _NOT_OK.search(output)
    if not_ok:
        raise ServerFailed(f"wrk on {url}: {not_ok.group(0)}")
    rate, transfer = _RATE.search(output), _TRANSFER.search(output)
    if rate is None or transfer is None:
        raise ServerFailed(f"wrk printed no rate for {url}:\n{output}")
    per_second = float(transfer.group(1)) * _UNITS[transfer.group(2)]
    errors = _SOCKET_ERRORS.search(output)
    return Load(
        float(rate.group(1)),
        per_second / max(float(rate.group(1)), 1e-9),
        errors.group(1) if errors else None,
    )


def missing_tools() -> list[str]:
    """The load tools not installed here (the HTTP figures need all of them)."""
    return [tool for tool in ("wrk", "nginx") if shutil.which(tool) is None]


def search_latencies(base: str, queries: list[str], rounds: int) -> list[float]:
    """Seconds per search-feed request (`/search.atom?q=...`), each query `rounds` times,
    over one kept-alive connection as a reader's client would use."""
    latencies = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(rounds):
            for query in queries:
                started = time.perf_counter()
                response = client.get("/search.atom", params={"q": query})
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise ServerFailed(f"search {query!r}: status {response.status_code}")
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` quantile (0.95 for p95) by the inclusive method."""
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(fraction * 100) - 1]
