"""Logging for feeder's commands: one line format on stderr, and the libraries' routine
lines (a scheduler run, an HTTP request, a database opened) kept out unless debugging."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Per-run, per-request and per-start lines: useful when debugging, noise otherwise.
# (alembic.runtime.migration says "Context impl ..." each time a database is opened,
# alembic.runtime.plugins "setup plugin ..." when alembic is imported, which the
# commands do after logging is set up.)
ROUTINE_LOGGERS = (
    "apscheduler",
    "httpx",
    "httpcore",
    "alembic.runtime.migration",
    "alembic.runtime.plugins",
)
_HANDLER_NAME = "feeder"


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is when a record comes: a test runner that swaps
    it for a while must not leave the handler holding a closed stream."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass  # always the current sys.stderr


class UvicornName(logging.Filter):
    """Renames uvicorn's "uvicorn.error" records to "uvicorn": uvicorn logs its start-up
    and shutdown lines through that logger, which makes routine lines read as errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.error":
            record.name = "uvicorn"
        return True


def log_level(level: int | str) -> int:
    """A level number from a number or a name such as "debug" or "INFO"."""
    if isinstance(level, int):
        return level
    number = logging.getLevelNamesMapping().get(level.upper())
    if number is None:
        raise ValueError(f"unknown log level {level!r} (use debug, info, warning or error)")
    return number


def configure_logging(level: int | str) -> None:
    """Log records at `level` and above to stderr as `FORMAT` lines; the routine loggers
    (`ROUTINE_LOGGERS`) only from WARNING unless `level` is DEBUG. Calling it again
    replaces its own handler and leaves other handlers alone."""
    number = log_level(level)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
        old.close()
    handler = _StderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(number)
    routine = logging.NOTSET if number <= logging.DEBUG else max(number, logging.WARNING)
    for name in ROUTINE_LOGGERS:
        logging.getLogger(name).setLevel(routine)
    uvicorn_error = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, UvicornName) for f in uvicorn_error.filters):
        uvicorn_error.addFilter(UvicornName())
