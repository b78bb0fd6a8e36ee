"""Why an entry's second passed unplayed on a box that had its plan.

The box was off at that second (``daemon_down``: the entry starts before this run of the
player), the wall clock stepped over it (``clock_jump``: the clock moved ahead of the
monotonic clock between two turns of the player, NTP setting a wrong clock right), or the
box was on and its clock steady but the player came to it too late (``late_start``: a box
too busy, a stalled SD card). A row says which: "the program was not running" for a box that
was running would not be what happened.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from broadcast.clock import Clock
from broadcast.playlog import Reason

STEP_SECONDS = 1.0  # the wall clock ahead of the monotonic one by more: a step, not a drift
STEPS_KEPT = 16


class MissedReason:
    def __init__(self, clock: Clock):
        self._clock = clock
        self._since: datetime | None = None  # the player's first turn
        self._last: tuple[datetime, float] | None = None
        self._steps: deque[tuple[datetime, datetime]] = deque(maxlen=STEPS_KEPT)

    def turn(self) -> None:
        """At each turn of the player: when it began, and any step of the wall clock."""
        wall, mono = self._clock.now(), self._clock.monotonic()
        if self._since is None:
            self._since = wall
        if self._last is not None:
            last_wall, last_mono = self._last
            if (wall - last_wall).total_seconds() - (mono - last_mono) > STEP_SECONDS:
                self._steps.append((last_wall, wall))
        self._last = (wall, mono)

    def reason(self, start: datetime) -> str:
        """Why the entry starting at ``start`` was not started in time."""
        if self._since is None or start < self._since:
            return Reason.DAEMON_DOWN
        if any(before <= start <= after for before, after in self._steps):
            return Reason.CLOCK_JUMP
        return Reason.LATE_START
