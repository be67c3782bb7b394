"""Prometheus metrics of one running service, in a registry of its own."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from feeder.model import RefreshSummary


class Metrics:
    """Counters the scheduler and the HTTP server update, exposed at `/metrics`."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.refresh_runs = Counter(
            "feeder_refresh_runs",
            "Refreshes run, by source and result (ok, failed, error, busy).",
            ["source", "result"],
            registry=self.registry,
        )
        self.refresh_seconds = Histogram(
            "feeder_refresh_duration_seconds",
            "How long refreshes took, by source.",
            ["source"],
            registry=self.registry,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
        )
        self.items_ingested = Counter(
            "feeder_items_ingested",
            "Items stored, by source and change (new, updated).",
            ["source", "change"],
            registry=self.registry,
        )
        self.source_errors = Counter(
            "feeder_source_errors",
            "Inputs that failed (files, folders), by source.",
            ["source"],
            registry=self.registry,
        )
        self.http_requests = Counter(
            "feeder_http_requests",
            "HTTP requests answered, by status code.",
            ["status"],
            registry=self.registry,
        )

    def record_refresh(self, source: str, summary: RefreshSummary, seconds: float) -> None:
        self.refresh_runs.labels(source, "ok" if summary.ok else "failed").inc()
        self.refresh_seconds.labels(source).observe(seconds)
        self.items_ingested.labels(source, "new").inc(summary.items_new)
        self.items_ingested.labels(source, "updated").inc(summary.items_updated)
        for name, errors in summary.source_errors.items():
            self.source_errors.labels(name).inc(len(errors))

    def render(self) -> bytes:
        return generate_latest(self.registry)
