"""The HTTP figures: `feeder serve` against nginx and `python -m http.server` serving
one feed under wrk, and the search feed's latency (the servers are `serving`'s)."""

from __future__ import annotations

import statistics
from pathlib import Path

from benchmarks import serving
from benchmarks.figures import Figure

# Searches a reader might type: common and rare topic words, a phrase, a prefix, AND/OR.
_SEARCHES = [
    "Kazakhstan", "peacekeeping", "biological", '"drug trafficking"', "Bishk*",
    "Minsk AND exercises", "NATO OR terrorism", "council", "personnel training", "Osh",
]  # fmt: skip


def measure_http(workdir: Path, feeds: Path, runs: int, seconds: int) -> list[Figure]:
    """`feeder serve` under `wrk -t2 -c50` for a 200 and a 304 of a topic feed near
    100 KB, against nginx (one worker) and `python -m http.server` on the same file;
    then the search feed's latency."""
    name = serving.feed_near(feeds)
    config = workdir / "feeder.toml"
    missing = serving.missing_tools()
    if missing:
        reason = f"not measured: {' and '.join(missing)} not installed (apt install wrk nginx)"
        skipped = [
            Figure(name, "requests/s", [], target=target, notes={"skipped": reason})
            for name, target in (
                ("serve a feed, 200", ">= 0.35 x nginx"),
                ("serve a feed, 304", ">= 0.25 x nginx"),
            )
        ]
        port, log = serving.free_port(), workdir / "serve.log"
        with serving.feeder_serving(config, port, log, name) as base:
            return [*skipped, _search_figure(serving.search_latencies(base, _SEARCHES, rounds=10))]
    rates: dict[str, dict[str, list[float]]] = {
        server: {"200": [], "304": []} for server in ("feeder", "nginx", "http.server")
    }
    servers = {
        "feeder": lambda: serving.feeder_serving(
            config, serving.free_port(), workdir / "serve.log", name
        ),
        "nginx": lambda: serving.nginx_serving(feeds, serving.free_port(), workdir / "nginx", name),
        "http.server": lambda: serving.http_server_serving(
            feeds, serving.free_port(), workdir / "http-server.log", name
        ),
    }
    size = (feeds / name).stat().st_size
    socket_errors: list[str] = []
    latencies: list[float] = []
    for run in range(runs):
        for server, start in servers.items():
            with start() as base:
                url = f"{base}/{name}"
                header = serving.revalidation_header(url)
                full, revalidated = serving.wrk(url, seconds), serving.wrk(url, seconds, header)
                # wrk counts only 4xx and 5xx as errors: the bytes show what was answered
                # (wrk rounds its transfer rate, hence the margin).
                if full.bytes_per_request < size / 2 or revalidated.bytes_per_request > 2048:
                    raise serving.ServerFailed(
                        f"{server}: {full.bytes_per_request:.0f} bytes per 200 and "
                        f"{revalidated.bytes_per_request:.0f} per 304 for a {size}-byte feed"
                    )
                rates[server]["200"].append(full.rate)
                rates[server]["304"].append(revalidated.rate)
                for load in (full, revalidated):
                    if load.socket_errors:
                        socket_errors.append(f"{server}: {load.socket_errors}")
                if server == "feeder" and run == 0:
                    latencies = serving.search_latencies(base, _SEARCHES, rounds=10)
    figures = []
    for status, wanted in (("200", 0.35), ("304", 0.25)):
        figure = Figure(
            f"serve a feed, {status}", "requests/s", rates["feeder"][status],
            rates["nginx"][status], target=f">= {wanted} x nginx",
            notes={
                "feed": name, "bytes": size, "socket_errors": socket_errors,
                "http.server": rates["http.server"][status],
                "http.server_ratio": _ratio(rates["feeder"][status], rates["http.server"][status]),
                "wrk": f"-t{serving.WRK_THREADS} -c{serving.WRK_CONNECTIONS} -d{seconds}s",
            },
        )  # fmt: skip
        figure.ratio = figure.median / (figure.baseline or 1)
        figure.met = figure.ratio >= wanted
        figures.append(figure)
    return [*figures, _search_figure(latencies)]


def _ratio(runs: list[float], baseline_runs: list[float]) -> float | None:
    """Median over median; None when the baseline answered nothing (http.server can
    time out every connection of a short run)."""
    baseline = statistics.median(baseline_runs)
    return statistics.median(runs) / baseline if baseline else None


def _search_figure(latencies: list[float]) -> Figure:
    p95 = serving.percentile(latencies, 0.95) * 1000
    search = Figure(
        "search feed latency, p95", "ms", [p95], target="p95 < 50 ms",
        notes={
            "requests": len(latencies), "queries": _SEARCHES,
            "p50_ms": serving.percentile(latencies, 0.5) * 1000,
            "max_ms": max(latencies) * 1000,
        },
    )  # fmt: skip
    search.met = p95 < 50
    return search
