"""A source that has failed and never worked is not "ok": `/health` of a real
`feeder serve` and `feeder status` call it degraded, long before three failures in a
row (which back-off stretches to hours) would call it failing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import configure
from fixture_server import fixture_server, statuses
from service_process import ServiceProcess
from typer.testing import CliRunner

from feeder.cli import app


def web_source(url: str, interval: str = "1h") -> str:
    return (
        f'\n[[sources]]\nname = "web"\ntype = "feed"\nurl = "{url}"\n'
        f'interval = "{interval}"\nallow_private_networks = true\n'
    )


def test_health_calls_a_web_source_that_never_succeeded_degraded_with_200(
    workdir: Path,
) -> None:
    with fixture_server() as server:
        server.routes["/feed"] = statuses(500)
        configure(workdir, "", seeds=web_source(f"{server.url}/feed"))
        with ServiceProcess(workdir) as service, service.client() as client:
            # The service's log counts a web source's fetches, and its error names it first.
            service.wait_for_log(r"refresh web: fetches 0 read, 0 unchanged, 1 failed; ")
            failed = rf"ERROR feeder.service.scheduler: source 'web': {server.url}/feed: HTTP 500"
            service.wait_for_log(failed)
            response = service.wait_until(
                lambda: (r := client.get("/health")).json()["sources"]["web"]["last_scan"] and r
            )
    body = response.json()
    assert response.status_code == 200 and body["status"] == "degraded"
    web = body["sources"]["web"]
    assert web["status"] == "degraded" and web["consecutive_failures"] == 1
    assert web["problems"][0].startswith("no successful scan since the service started")
    assert body["sources"]["seeds"]["status"] == "ok"


@pytest.fixture
def runner(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(workdir)
    monkeypatch.delenv("FEEDER_CONFIG", raising=False)
    return CliRunner()


def test_status_calls_a_source_that_never_succeeded_degraded(
    workdir: Path, runner: CliRunner
) -> None:
    configure(workdir, "", seeds='[[sources]]\nname = "gone"\npath = "nowhere"\n')
    assert runner.invoke(app, ["refresh", "--quiet"]).exit_code == 1
    table = runner.invoke(app, ["status"])
    assert table.exit_code == 0, table.output
    assert "degraded" in table.stdout  # the table folds the rest of the line
    document = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert document["sources"]["gone"]["status"] == "degraded"
    assert document["sources"]["seeds"]["status"] == "ok"
