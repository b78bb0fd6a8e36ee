"""The daemon's status file: written every few seconds, read by ``broadcast status``.

The file doubles as the daemon's heartbeat: its ``heartbeat_at`` says when the daemon was last
alive, which is also how a restarted daemon knows since when it was down.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from broadcast.audio.wavfile import atomic_write
from broadcast.paths import ProjectPaths

STATUS_NAME = "status.json"
HEARTBEAT_SECONDS = 2.0
ALIVE_WITHIN_SECONDS = 15.0  # a heartbeat older than this: the daemon is not running


def status_file(paths: ProjectPaths) -> Path:
    return paths.data_dir / STATUS_NAME


def write_status(paths: ProjectPaths, snapshot: dict[str, Any]) -> None:
    text = json.dumps(snapshot, ensure_ascii=False, indent=1, default=str)
    with atomic_write(status_file(paths)) as handle:
        handle.write(text.encode("utf-8"))


def read_status(paths: ProjectPaths) -> dict[str, Any] | None:
    """The last status written, or ``None`` when there is none or it cannot be read."""
    try:
        data = json.loads(status_file(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def last_heartbeat(paths: ProjectPaths) -> datetime | None:
    status = read_status(paths)
    try:
        return datetime.fromisoformat(status["heartbeat_at"]) if status else None
    except (KeyError, TypeError, ValueError):
        return None
