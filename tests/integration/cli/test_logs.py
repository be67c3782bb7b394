"""Logging set-up: feeder's line format on stderr, the libraries' routine lines kept out
unless debugging, uvicorn's lines under a plain name. Real handlers, real stderr."""

from __future__ import annotations

import io
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from feeder.logs import ROUTINE_LOGGERS, configure_logging
from feeder.store import Store

TOUCHED = ("", *ROUTINE_LOGGERS, "uvicorn.error")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Put back the loggers configure_logging changes, so other tests see pytest's set-up."""
    loggers = [logging.getLogger(name or None) for name in TOUCHED]
    saved = [(lg, lg.level, list(lg.handlers), list(lg.filters)) for lg in loggers]
    yield
    for lg, level, handlers, filters in saved:
        lg.setLevel(level)
        lg.handlers[:] = handlers
        lg.filters[:] = filters


def logged(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def test_a_line_is_time_level_logger_and_message_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(logging.INFO)
    logging.getLogger("feeder.service.scheduler").info("refresh seeds: %d read", 5)
    logging.getLogger("feeder.service.scheduler").debug("not at INFO")
    (line,) = logged(capsys)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO feeder.service.scheduler: "
        r"refresh seeds: 5 read",
        line,
    ), line


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("apscheduler.executors.default", 'Running job "refresh seeds"'),
        ("httpx", 'HTTP Request: GET https://e.org/rss "HTTP/1.1 200 OK"'),
        ("httpcore.connection", "connect_tcp.started host='e.org'"),
        ("alembic.runtime.migration", "Context impl SQLiteImpl."),
    ],
)
def test_routine_library_lines_are_left_out_below_debug_but_their_warnings_show(
    capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    configure_logging(logging.INFO)
    logging.getLogger(name).info(message)
    logging.getLogger(name).warning("something is wrong")
    assert [line.split(" ", 2)[2] for line in logged(capsys)] == [
        f"WARNING {name}: something is wrong"
    ]


@pytest.mark.parametrize("level", [logging.DEBUG, "debug", "DEBUG"])
def test_at_debug_the_routine_library_lines_show(
    capsys: pytest.CaptureFixture[str], level: int | str
) -> None:
    configure_logging(level)
    for name in ROUTINE_LOGGERS:
        logging.getLogger(name).info("routine")
    assert [line.split(" ", 2)[2] for line in logged(capsys)] == [
        f"INFO {name}: routine" for name in ROUTINE_LOGGERS
    ]


def test_a_level_above_warning_also_quiets_the_libraries_warnings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("error")
    logging.getLogger("httpx").warning("a warning")
    logging.getLogger("feeder").warning("a warning")
    logging.getLogger("feeder").error("an error")
    assert [line.split(" ", 2)[2] for line in logged(capsys)] == ["ERROR feeder: an error"]


def test_an_unknown_level_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        configure_logging("loud")


def test_uvicorn_start_lines_are_named_uvicorn_and_its_errors_still_show(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(logging.INFO)
    uvicorn_log = logging.getLogger("uvicorn.error")
    uvicorn_log.info("Started server process [%d]", 42)
    uvicorn_log.error("Exception in ASGI application")
    assert [line.split(" ", 2)[2] for line in logged(capsys)] == [
        "INFO uvicorn: Started server process [42]",
        "ERROR uvicorn: Exception in ASGI application",
    ]


def test_configuring_again_replaces_its_own_handler_and_keeps_others(
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = logging.StreamHandler(io.StringIO())
    logging.getLogger().addHandler(other)
    configure_logging(logging.WARNING)
    configure_logging(logging.INFO)
    logging.getLogger("feeder").info("once")
    assert [line.split(" ", 2)[2] for line in logged(capsys)] == ["INFO feeder: once"]
    assert other in logging.getLogger().handlers
    assert len(logging.getLogger("uvicorn.error").filters) == len(
        {type(f) for f in logging.getLogger("uvicorn.error").filters}
    )


def test_lines_go_to_the_stderr_of_the_moment_not_the_one_at_set_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure_logging(logging.INFO)  # as the CLI does, maybe under a runner's stderr
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)
    logging.getLogger("feeder").warning("after the swap")
    assert later.getvalue().endswith(" WARNING feeder: after the swap\n")


def test_opening_and_migrating_a_database_prints_no_alembic_lines_and_keeps_the_set_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(logging.INFO)
    root_handlers = list(logging.getLogger().handlers)
    Store(f"sqlite:///{tmp_path / 'new.db'}").close()  # runs every migration (env.py too)
    Store(f"sqlite:///{tmp_path / 'new.db'}").close()  # opens an up-to-date one
    logging.getLogger("feeder").info("still here")
    assert [line.split(" ", 2)[2] for line in logged(capsys)] == ["INFO feeder: still here"]
    assert logging.getLogger().handlers == root_handlers
    assert logging.getLogger("alembic.runtime.migration").level == logging.WARNING
