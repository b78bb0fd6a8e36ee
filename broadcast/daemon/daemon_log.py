"""The daemon's own log: what it decided and why, errors with context.

A rotating file in the data folder (kept small enough for a ward PC, several generations) and
the console. Each record carries an English ``event`` key for programs; the message is in
Vietnamese for the technician.

One record is one line: every value written is escaped here, in the formatter, so that no file
name, title or zone name carrying a line break can forge a line, whoever logs it.
"""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler

from broadcast.paths import ProjectPaths

LOG_NAME = "daemon.log"
MAX_BYTES = 2_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s [%(event)s] %(message)s"


# C0 and C1 controls (line breaks, escape sequences), the Unicode line and paragraph
# separators, and the bidirectional overrides that make a name read backwards on screen.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_INDENT = "    "
# The raw parts of a record: formatted as its message and its traceback, escaped there.
_RENDERED_APART = frozenset({"msg", "args", "exc_info", "exc_text", "stack_info"})


def _escaped(text: str) -> str:
    """``text`` with each unsafe character written as Python would: ``\\n``, ``\\x1b``…"""
    return _UNSAFE.sub(lambda found: found[0].encode("unicode_escape").decode("ascii"), text)


class _OneLineFormatter(logging.Formatter):
    """Each record on one line; a traceback below it, every line of it indented, so that a
    line of the log that does not start with blanks is always a record."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        values = {
            key: value
            if key in _RENDERED_APART or isinstance(value, int | float)
            else _escaped(str(value))
            for key, value in record.__dict__.items()
        }
        return super().formatMessage(logging.makeLogRecord(values))

    def formatException(self, ei: logging._SysExcInfoType) -> str:
        return self._indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return self._indented(super().formatStack(stack_info))

    @staticmethod
    def _indented(text: str) -> str:
        return "\n".join(_INDENT + _escaped(line) for line in text.splitlines())


class _EventDefault(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "event"):
            record.event = record.name.removeprefix("broadcast.")
        return True


def setup_daemon_logging(paths: ProjectPaths, console: bool = True) -> logging.Logger:
    """Attach the file (and console) handlers to the ``broadcast`` logger, once."""
    root = logging.getLogger("broadcast")
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_broadcast_daemon", False):
            root.removeHandler(handler)
            handler.close()
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [
        RotatingFileHandler(
            paths.data_dir / LOG_NAME, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    ]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler._broadcast_daemon = True  # type: ignore[attr-defined]
        handler.setFormatter(_OneLineFormatter(FORMAT))
        handler.addFilter(_EventDefault())
        root.addHandler(handler)
    return root
