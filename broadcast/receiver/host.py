"""What the box itself can tell the station: its clock's offset, its modem's signal.

Both only as measured, never made up; each asked at most every ``PROBE_EVERY_SECONDS`` (a
heartbeat need not fork, and the bench runs hundreds of receivers on one machine).

The clock: how far it is from true time, as far as it can honestly be told.

A cluster plays by its own clock, so the station wants its offset in every heartbeat. The
measured value comes from chrony (``chronyc tracking``: "System time : 0.000012 seconds fast
of NTP time"); systemd-timesyncd only tells whether the clock is synchronised, not by how
much. Without either the offset is reported unknown, never made up; the receiver adds a rough
estimate from the station's ``issued`` times, labelled as such (it includes the message's
time in transit).

The signal: ModemManager's quality of the 4G link, 0–100 % (``mmcli``); ``None`` without a
modem it manages (a box on Ethernet, or a modem driven otherwise).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

PROBE_EVERY_SECONDS = 300.0  # chrony's own view changes slowly; a heartbeat need not fork
TIMEOUT_SECONDS = 2.0
_CHRONY_LINE = re.compile(r"System time\s*:\s*([0-9.]+) seconds (fast|slow) of NTP time")
_CHRONY_LEAP = re.compile(r"Leap status\s*:\s*(.+)")
T = TypeVar("T")


@dataclass(frozen=True)
class ClockReading:
    offset_seconds: float | None  # the box's clock minus true time; None: unknown
    source: str  # "chrony", "timesyncd" (synchronised or not, no value), "unknown"
    synchronised: bool | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "offset_seconds": self.offset_seconds,
            "source": self.source,
            "synchronised": self.synchronised,
        }


UNKNOWN = ClockReading(None, "unknown")


class HostProbe:
    """Asks chrony (else timedatectl) and ModemManager, each at most every ``every`` s.

    Shared by every receiver of a process (the bench): one probe runs at a time, the others
    keep the last answer meanwhile (or wait for the very first one)."""

    def __init__(
        self,
        every: float = PROBE_EVERY_SECONDS,
        *,
        clock_probe: Callable[[], ClockReading] | None = None,
        signal_probe: Callable[[], int | None] | None = None,
    ):
        self.every = every
        self._clock = _Every(every, clock_probe or _probe)
        self._signal = _Every(every, signal_probe or _signal)

    def clock(self) -> ClockReading:
        return self._clock.get()

    def signal(self) -> int | None:
        """The modem's signal quality in percent; ``None`` when no modem tells."""
        return self._signal.get()


class _Every(Generic[T]):
    """``probe()``'s answer, asked again at most every ``every`` seconds, by one thread."""

    def __init__(self, every: float, probe: Callable[[], T]):
        self.every = every
        self._probe = probe
        self._reading: tuple[float, T] | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        reading = self._reading
        if reading is not None and time.monotonic() - reading[0] < self.every:
            return reading[1]
        if reading is not None and not self._lock.acquire(blocking=False):
            return reading[1]  # another thread is asking right now: the last answer will do
        if reading is None:
            self._lock.acquire()  # nothing to answer yet: wait for the one asking
        try:
            reading = self._reading
            if reading is None or time.monotonic() - reading[0] >= self.every:
                reading = (time.monotonic(), self._probe())
                self._reading = reading
            return reading[1]
        finally:
            self._lock.release()


def _probe() -> ClockReading:
    return _chrony() or _timesyncd() or UNKNOWN


def _signal() -> int | None:
    text = _run(["mmcli", "--modem=any", "--output-keyvalue"])
    return None if text is None else parse_mmcli(text)


def _run(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def parse_chrony(text: str) -> ClockReading | None:
    found = _CHRONY_LINE.search(text)
    if found is None:
        return None
    offset = float(found[1]) * (1 if found[2] == "fast" else -1)
    leap = _CHRONY_LEAP.search(text)
    synchronised = None if leap is None else leap[1].strip() != "Not synchronised"
    return ClockReading(offset, "chrony", synchronised)


def _chrony() -> ClockReading | None:
    text = _run(["chronyc", "tracking"])
    return None if text is None else parse_chrony(text)


def _timesyncd() -> ClockReading | None:
    text = _run(["timedatectl", "show", "--property=NTPSynchronized", "--value"])
    if text is None or text.strip() not in ("yes", "no"):
        return None
    return ClockReading(None, "timesyncd", text.strip() == "yes")


_MMCLI_SIGNAL = re.compile(r"^modem\.generic\.signal-quality\.value\s*:\s*(\d+)\s*$", re.M)


def parse_mmcli(text: str) -> int | None:
    found = _MMCLI_SIGNAL.search(text)
    return None if found is None else int(found[1])
