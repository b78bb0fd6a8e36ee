"""The daemon's own log: what it decided and why, errors with context.

A rotating file in the data folder (kept small enough for a ward PC, several generations) and
the console. Each record carries an English ``event`` key for programs; the message is in
Vietnamese for the technician.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler

from broadcast.paths import ProjectPaths

LOG_NAME = "daemon.log"
MAX_BYTES = 2_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s [%(event)s] %(message)s"


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
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(_EventDefault())
        root.addHandler(handler)
    return root
