"""Where the daemon reads approvals, and whether they changed since it last looked.

Approvals and revocations are written by other processes (``broadcast approve``, ``revoke``,
later the web console) into the play log: the daemon's heartbeat asks for the latest event's
number (one indexed query) and re-plans when it changed. A rehearsal keeps a log of its own,
but what it may air is what the ward approved: it reads the ward's log, for approvals only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import tzinfo

from broadcast.audio.manifest import AudioManifest
from broadcast.config import Config
from broadcast.daemon.rehearsal import ward_of
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog, PlayLogUnreadable, database_path
from broadcast.playlog.history import plannable
from broadcast.scripts.model import Script

logger = logging.getLogger("broadcast.daemon")


class ApprovalWatch:
    def __init__(self, paths: ProjectPaths, log: PlayLog, rehearsal: bool, timezone: tzinfo):
        self._own = log
        self.ward_log = _ward_log(paths, timezone) if rehearsal else None
        self._seen = self.latest()  # events written from now on make a re-plan

    @property
    def log(self) -> PlayLog:
        """The log approvals are read from: the ward's (a rehearsal's own has none)."""
        return self.ward_log if self.ward_log is not None else self._own

    def latest(self) -> int:
        return self.log.last_approval_event()

    def changed(self) -> bool:
        """Whether an event was written since the last look (a revocation too: it is one)."""
        latest = self.latest()
        if latest == self._seen:
            return False
        self._seen = latest
        logger.info(
            "có sự kiện duyệt mới (số %d): lập lại lịch phát",
            latest,
            extra={"event": "approvals_changed"},
        )
        return True

    def close(self) -> None:
        if self.ward_log is not None:
            self.ward_log.close()


def approved_ids(
    config: Config, scripts: Sequence[Script], manifest: AudioManifest, log: PlayLog
) -> set[str]:
    """Scripts with an approval in force while approval is required: their audio must be
    made from the approved text before they can air (render-ahead's first pass)."""
    if not config.approval.required:
        return set()
    _, judgements = plannable(config, scripts, manifest, log)
    return {j.script_id for j in judgements.values() if j.approval is not None}


def _ward_log(paths: ProjectPaths, timezone: tzinfo) -> PlayLog | None:
    """The ward's log, when ``paths`` are a rehearsal's and the ward has one; ``None`` (the
    rehearsal's own log, with no approvals) otherwise."""
    ward = ward_of(paths)
    if ward is None or not database_path(ward).exists():
        return None
    try:
        return PlayLog.open_for_reading(ward, timezone=timezone)
    except PlayLogUnreadable as exc:
        logger.warning(
            "không đọc được nhật ký duyệt của phường: %s",
            exc,
            extra={"event": "ward_log_unreadable"},
        )
        return None
