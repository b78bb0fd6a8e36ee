"""Refused control connections in the daemon's log, at most one line per interval.

Any local user can open connections by the thousand; one line each rotated the log's history
away (25,000 lines in 35 s). The first refusal after a quiet interval is logged in full (who,
why), the rest are counted and summed up in one line when the interval ends, so a flood costs
one line a minute and the technician still sees that it happened and how big it was.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

REFUSAL_LOG_SECONDS = 60.0

log = logging.getLogger(__name__)


class RefusalLog:
    def __init__(
        self,
        interval: float = REFUSAL_LOG_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._window_end: float | None = None  # while set, refusals are only counted

    def note(self, code: str, peer: str, reason: str) -> None:
        """One refused connection (``code``: an ``ErrorCode`` value)."""
        with self._lock:
            now = self._clock()
            self._flush(now)
            if self._window_end is not None:
                self._counts[code] += 1
                return
            self._window_end = now + self._interval
        log.warning(
            "từ chối kết nối điều khiển từ %s (%s): %s",
            peer,
            code,
            reason,
            extra={"event": "control_request_refused", "peer": peer, "code": code},
        )

    def due(self) -> float | None:
        """When a summary is due (``time.monotonic`` seconds), or ``None`` with nothing counted:
        the server's loop sleeps until then at most, and never wakes for nothing."""
        with self._lock:
            return self._window_end if self._counts else None

    def flush_due(self) -> None:
        """Write the summary if its interval is over."""
        with self._lock:
            self._flush(self._clock())

    def flush_all(self) -> None:
        """Write the summary now (at stop): a flood's count is never lost."""
        with self._lock:
            self._flush(float("inf"))

    def _flush(self, now: float) -> None:
        if self._window_end is None or now < self._window_end:
            return
        if not self._counts:
            self._window_end = None  # quiet for a whole interval: the next one is logged
            return
        total = sum(self._counts.values())
        by_code = ", ".join(f"{code}: {count}" for code, count in self._counts.most_common())
        log.warning(
            "kênh điều khiển đã từ chối thêm %d kết nối (%s); chỉ ghi một dòng mỗi %g giây",
            total,
            by_code,
            self._interval,
            extra={"event": "control_refusals", "refused": dict(self._counts)},
        )
        self._counts.clear()
        self._window_end = self._clock() + self._interval
