"""WebSub: feeds advertise the hub, and refreshes ping a real HTTP hub on loopback
for exactly the feeds they changed, retrying with back-off, never blocking publishing."""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import pytest
from conftest import ManualClock, configure
from fixture_server import FixtureServer, fixture_server, statuses

from feeder import Settings, make_feeder
from feeder.service.websub import HubPinger

BASE = "http://127.0.0.1:8080/"
NEW_CAPTURE = "20.11.2026\n\nNATO observers visited Minsk in November.\n"


@pytest.fixture
def hub() -> Iterator[FixtureServer]:
    with fixture_server() as server:
        server.routes["/hub"] = statuses(204)
        yield server


@pytest.fixture
def hub_settings(workdir: Path, hub: FixtureServer, load: Callable[[Path], Settings]) -> Settings:
    configure(workdir, f'websub_hub = "{hub.url}/hub"\n')
    return load(workdir)


def pinged(hub: FixtureServer) -> list[str]:
    found = []
    for seen in hub.requests_to("/hub"):
        form = parse_qs(seen.body.decode())
        assert form["hub.mode"] == ["publish"]
        found += form["hub.url"]
    return found


def test_every_format_advertises_the_hub_and_itself(
    hub_settings: Settings, clock: ManualClock, hub: FixtureServer
) -> None:
    with make_feeder(hub_settings, clock) as feeder:
        feeder.refresh()
    feeds = hub_settings.feeds_dir
    for fmt in ("atom", "rss"):
        parsed = feedparser.parse(io.BytesIO((feeds / f"nato.{fmt}").read_bytes()))
        assert not parsed.bozo
        links = {(link.rel, link.href) for link in parsed.feed.links}
        assert ("hub", f"{hub.url}/hub") in links and ("self", f"{BASE}nato.{fmt}") in links
    as_json = json.loads((feeds / "nato.json").read_bytes())
    assert as_json["hubs"] == [{"type": "WebSub", "url": f"{hub.url}/hub"}]
    assert as_json["feed_url"] == f"{BASE}nato.json"


def test_a_refresh_pings_the_hub_for_exactly_the_feeds_it_changed(
    hub_settings: Settings, clock: ManualClock, hub: FixtureServer, workdir: Path
) -> None:
    with make_feeder(hub_settings, clock) as feeder:  # closing waits for the pings
        first = feeder.refresh()
    slugs = ["all", *hub_settings.topics]
    assert sorted(first.changed_feeds) == sorted(slugs)
    assert sorted(pinged(hub)) == sorted(
        f"{BASE}{s}.{f}" for s in slugs for f in ("atom", "rss", "json")
    )

    hub.seen.clear()
    (workdir / "seeds" / "005_new.txt").write_text(NEW_CAPTURE)
    with make_feeder(hub_settings, clock) as feeder:
        assert feeder.refresh().items_new == 1
        feeder.refresh()  # nothing changed: no ping
    changed = {"all", "nato", "belarus"}
    assert sorted(pinged(hub)) == sorted(
        f"{BASE}{s}.{f}" for s in changed for f in ("atom", "rss", "json")
    )


def test_a_failing_hub_is_retried_with_growing_delays_until_it_accepts(
    hub: FixtureServer,
) -> None:
    hub.routes["/hub"] = statuses(503, 503, 202)
    pinger = HubPinger(f"{hub.url}/hub", "feeder-test", first_delay=0.1)
    started = time.monotonic()
    pinger.ping(["http://x/a.atom"])
    assert pinger.wait(10)
    assert time.monotonic() - started >= 0.1 + 0.2  # waited before each retry, doubling
    pinger.close(1)
    assert pinged(hub) == ["http://x/a.atom"] * 3 and (pinger.sent, pinger.failed) == (1, 0)


def test_a_refused_ping_is_logged_and_not_retried(
    hub: FixtureServer, caplog: pytest.LogCaptureFixture
) -> None:
    hub.routes["/hub"] = statuses(400)
    pinger = HubPinger(f"{hub.url}/hub", "feeder-test", first_delay=0.01)
    with caplog.at_level(logging.ERROR, "feeder.service.websub"):
        pinger.ping(["http://x/a.atom"])
        assert pinger.wait(10)
    pinger.close(1)
    assert len(pinged(hub)) == 1 and pinger.failed == 1
    assert f"hub {hub.url}/hub refused the ping for http://x/a.atom: HTTP 400" in caplog.text


def test_a_feed_changed_again_while_waiting_is_pinged_once(hub: FixtureServer) -> None:
    hub.routes["/hub"] = statuses(503, 204)
    pinger = HubPinger(f"{hub.url}/hub", "feeder-test", first_delay=0.3)
    pinger.ping(["http://x/a.atom"])  # in back-off after the 503 ...
    pinger.ping(["http://x/b.atom", "http://x/b.atom"])
    pinger.ping(["http://x/b.atom"])
    assert pinger.wait(10)
    pinger.close(1)
    assert pinged(hub) == ["http://x/a.atom", "http://x/a.atom", "http://x/b.atom"]


def test_a_hub_that_never_answers_holds_up_neither_the_refresh_nor_its_files(
    hub: FixtureServer, workdir: Path, load: Callable[[Path], Settings], clock: ManualClock
) -> None:
    release = threading.Event()

    def stall(request: BaseHTTPRequestHandler) -> None:
        release.wait(60)
        statuses(204)(request)

    hub.routes["/hub"] = stall
    configure(workdir, f'websub_hub = "{hub.url}/hub"\n')
    settings = load(workdir)
    feeder = make_feeder(settings, clock)
    try:
        summary = feeder.refresh()
        assert summary.ok and (settings.feeds_dir / "all.json").exists()
        # The refresh is over; the first ping now reaches the hub, which holds it.
        deadline = time.monotonic() + 10
        while not hub.requests_to("/hub") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(hub.requests_to("/hub")) == 1 and not release.is_set()
    finally:
        release.set()
        feeder.close()
    assert len(pinged(hub)) == 16 * 3  # once released, every ping went out


def test_a_redirecting_hub_is_refused_naming_the_setting(
    hub: FixtureServer, caplog: pytest.LogCaptureFixture
) -> None:
    hub.routes["/hub"] = statuses(308, headers={"Location": "/elsewhere"})
    pinger = HubPinger(f"{hub.url}/hub", "feeder-test", first_delay=0.01)
    with caplog.at_level(logging.ERROR, "feeder.service.websub"):
        pinger.ping(["http://x/a.atom"])
        assert pinger.wait(10)
    pinger.close(1)
    assert "HTTP 308 to /elsewhere: set websub_hub to it" in caplog.text
    assert len(pinged(hub)) == 1


def test_closing_logs_the_pings_it_could_not_send(
    hub: FixtureServer, caplog: pytest.LogCaptureFixture
) -> None:
    hub.routes["/hub"] = statuses(503)
    pinger = HubPinger(f"{hub.url}/hub", "feeder-test", first_delay=30)
    with caplog.at_level(logging.WARNING, "feeder.service.websub"):
        pinger.ping(["http://x/a.atom", "http://x/b.atom"])
        time.sleep(0.5)  # the first ping failed once and waits to retry
        pinger.close(0.1)
    assert "ping to " in caplog.text and "for http://x/a.atom not sent (shutting down)" in (
        caplog.text
    )
    assert "1 ping(s) to" in caplog.text and "http://x/b.atom" in caplog.text


def test_an_unreachable_hub_never_blocks_publishing(
    workdir: Path,
    load: Callable[[Path], Settings],
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    configure(workdir, f'websub_hub = "http://127.0.0.1:{port}/hub"\n')
    settings = load(workdir)
    with (
        caplog.at_level(logging.WARNING, "feeder.service.websub"),
        make_feeder(settings, clock, ping_first_delay=0.01) as feeder,
    ):
        summary = feeder.refresh()
        # The refresh is over and every file is written while pings still fail.
        assert summary.ok and summary.feeds_written == 16 * 4
        assert (settings.feeds_dir / "nato.json").exists()
    assert f"gave up on the ping for {BASE}all.atom after 5 attempts" in caplog.text
