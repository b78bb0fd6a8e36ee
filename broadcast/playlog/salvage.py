"""The daemon's start on a damaged log: the file moved aside and a new log started.

The station airs whatever state its log is in. A file that is not a log this program can read
(garbage bytes, a table dropped, a newer schema, a page SQLite finds damaged) is renamed
``playlog.damaged-YYYYMMDD-HHMMSS.sqlite3`` beside it, with its WAL and shared-memory files,
and kept for inspection; a new log starts, and the caller raises the alarm it is given.
"""

from __future__ import annotations

import os
from datetime import datetime, tzinfo
from pathlib import Path

from broadcast.paths import ProjectPaths
from broadcast.playlog.faults import PlayLogUnreadable
from broadcast.playlog.store import WARD_TIMEZONE, PlayLog, database_path

_COMPANIONS = ("", "-wal", "-shm")  # SQLite's own files beside the database, moved with it


def open_for_air(
    paths: ProjectPaths, *, now: datetime, timezone: tzinfo = WARD_TIMEZONE
) -> tuple[PlayLog, str | None]:
    """The daemon's log (``PlayLog.open``); a damaged one is moved aside and a new one
    started, with the alarm to raise (Vietnamese), else ``None``."""
    path = database_path(paths)
    try:
        log = PlayLog.open_file(path, timezone=timezone)
        try:
            log.check_pages()
        except PlayLogUnreadable:
            log.close()
            raise
    except PlayLogUnreadable as exc:
        if not exc.damaged:  # a full or failing disk: a new file would fare no better
            raise
        aside = move_aside(path, now)
        alarm = (
            f"{exc}; đã cất tệp cũ sang {paths.relative(aside)} để kiểm tra và mở nhật ký "
            "mới (báo cáo các kỳ trước cần tệp cũ)"
        )
        return PlayLog.open(paths, timezone=timezone), alarm
    log.repair_interrupted()
    return log, None


def move_aside(path: Path, now: datetime) -> Path:
    """Rename the database and its companions to an unused ``….damaged-<time>…`` name."""
    stem = f"{path.stem}.damaged-{now:%Y%m%d-%H%M%S}"
    target, n = path.with_name(f"{stem}{path.suffix}"), 1
    while any(Path(f"{target}{companion}").exists() for companion in _COMPANIONS):
        n += 1
        target = path.with_name(f"{stem}-{n}{path.suffix}")
    for companion in _COMPANIONS:
        source = Path(f"{path}{companion}")
        if source.exists():
            os.replace(source, f"{target}{companion}")
    return target
