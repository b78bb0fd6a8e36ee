"""Time as the rest of the code sees it: a small Protocol, the system clock, a fake clock."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware local time of the ward."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back (for measuring durations)."""
        ...


class SystemClock:
    def __init__(self, timezone: tzinfo):
        self.timezone = timezone

    def now(self) -> datetime:
        return datetime.now(self.timezone)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to; for tests and simulated runs."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start
        self._monotonic = 0.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, delta: timedelta) -> None:
        """Time passes: both the wall clock and the monotonic clock move forward."""
        self._now += delta
        self._monotonic += delta.total_seconds()

    def step(self, delta: timedelta) -> None:
        """The wall clock is set (NTP correcting it, a technician): the monotonic one does
        not move."""
        self._now += delta
