"""Alarms for the technician: device errors, missing audio, an invalid edit being ignored.

Kept in memory (the newest few) and shown by ``broadcast status``; each is also written to the
daemon's own log when raised.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime

from broadcast.clock import Clock

logger = logging.getLogger("broadcast.daemon")
KEPT = 50


@dataclass(frozen=True)
class Alarm:
    at: datetime
    code: str  # e.g. device_error, audio_missing, config_invalid
    message: str  # Vietnamese
    zone: str | None = None

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "at": self.at.isoformat(timespec="seconds")}


class Alarms:
    def __init__(self, clock: Clock):
        self._clock = clock
        self._alarms: deque[Alarm] = deque(maxlen=KEPT)
        self._active: dict[tuple[str, str | None], Alarm] = {}  # cleared when the cause goes
        self._lock = threading.Lock()

    def raise_alarm(self, code: str, message: str, zone: str | None = None) -> None:
        alarm = Alarm(self._clock.now(), code, message, zone)
        with self._lock:
            is_new = (code, zone) not in self._active
            self._active[(code, zone)] = alarm
            self._alarms.append(alarm)
        if is_new:
            logger.error(message, extra={"event": code, "zone": zone})

    def clear(self, code: str, zone: str | None = None) -> None:
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
