"""Alarms for the technician: device errors, missing audio, an invalid edit being ignored.

Kept in memory (the newest few) and shown by ``broadcast status``; each is also written to the
daemon's own log when raised.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from broadcast.clock import Clock

logger = logging.getLogger("broadcast.daemon")
KEPT = 50


class AlarmCode(StrEnum):
    """What an alarm is about; the value is the stable key in ``status`` and the daemon log."""

    DEVICE_MISSING = "device_missing"  # a zone's output cannot take sound (heartbeat)
    DEVICE_ERROR = "device_error"  # a device failed during a play
    INPUT_INVALID = "input_invalid"  # an edit was refused; the last good state airs
    TTS_FAILED = "tts_failed"  # a script's audio could not be made with the preferred voice
    AUDIO_MISSING = "audio_missing"  # a planned segment has no playable audio
    UNDERRUN = "underrun"  # a zone's device ran dry mid-play: listeners heard a gap
    VOICE_FALLBACK = "voice_fallback"  # scripts air in the offline voice: the online one failed
    CONTROL_PORT_MOVED = "control_port_moved"  # --port was taken: the channel listens elsewhere
    PLAYLOG_REPLACED = "playlog_replaced"  # the log was damaged: moved aside, a new one started
    PLAYLOG_UNWRITTEN = "playlog_unwritten"  # log writes wait in memory (a full disk) or were lost
    CLUSTER_SILENT = "cluster_silent"  # an IP cluster not heard for too long, or offline
    CLUSTERS_UNREACHABLE = "clusters_unreachable"  # the station cannot reach the MQTT broker


@dataclass(frozen=True)
class Alarm:
    at: datetime  # when last raised: a cause that stays is raised again at every heartbeat
    code: AlarmCode
    message: str  # Vietnamese
    zone: str | None = None
    since: datetime = field(kw_only=True)  # when it became active, kept while it stays

    def to_json(self) -> dict[str, object]:
        return {
            **asdict(self),
            "at": self.at.isoformat(timespec="seconds"),
            "since": self.since.isoformat(timespec="seconds"),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Alarm:
        at = datetime.fromisoformat(data["at"])
        return cls(
            at,
            AlarmCode(data["code"]),
            str(data["message"]),
            data.get("zone"),
            # a status file from before ``since`` was kept
            since=datetime.fromisoformat(data["since"]) if data.get("since") else at,
        )


class Alarms:
    def __init__(self, clock: Clock):
        self._clock = clock
        self._alarms: deque[Alarm] = deque(maxlen=KEPT)
        self._active: dict[tuple[AlarmCode, str | None], Alarm] = {}  # cleared when the cause goes
        self._lock = threading.Lock()

    def raise_alarm(self, code: AlarmCode, message: str, zone: str | None = None) -> None:
        now = self._clock.now()
        with self._lock:
            active = self._active.get((code, zone))
            alarm = Alarm(now, code, message, zone, since=active.since if active else now)
            self._active[(code, zone)] = alarm
            self._alarms.append(alarm)
        if active is None:
            logger.error(message, extra={"event": code, "zone": zone})

    def clear(self, code: AlarmCode, zone: str | None = None) -> None:
        with self._lock:
            cleared = self._active.pop((code, zone), None)
        if cleared is not None:
            logger.info("hết cảnh báo: %s", cleared.message, extra={"event": f"{code}_cleared"})

    def active(self) -> list[Alarm]:
        with self._lock:
            return list(self._active.values())

    def recent(self) -> list[Alarm]:
        with self._lock:
            return list(self._alarms)
