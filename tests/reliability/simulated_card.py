"""The simulated station's outputs on a fake clock: one folder of WAV files per zone.

Each zone writes through a real ``FileSink`` (``realtime=False``: at once), and waiting on a play
is when its time passes on the fake clock, by what it delivered. A zone's failure is real: its
folder becomes a regular file, and the file sink cannot write there. A crash during a play
leaves the part written so far (a WAV file closed at that point) and the runner's row open, as
a killed process does (one heartbeat tells how far it got); a play during which an emergency is
sent plays in real time, so the bulletin really fades it out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from broadcast.clock import FakeClock
from broadcast.sinks.file import FileSink
from broadcast.sinks.protocol import (
    OutletOutcome,
    Playback,
    PlayResult,
    ZoneHealth,
    ZoneSpeakers,
)


class Crash(BaseException):
    """The daemon's process dies here: nothing after it runs, nothing is closed."""


class _TimedPlayback:
    """A play written at once; waiting on it is when its time passes on the fake clock."""

    def __init__(self, inner: Playback, clock: FakeClock):
        self._inner = inner
        self._clock = clock
        self._moved = False

    def wait(self, timeout: float | None = None) -> PlayResult:
        result = self._inner.wait(timeout)
        if not self._moved:
            self._moved = True
            self._clock.advance(timedelta(seconds=result.aired_seconds))
        return result

    def stop(self, fade_seconds: float = 0.25, zones: AbstractSet[str] | None = None) -> None:
        self._inner.stop(fade_seconds, zones)

    def silent(self, zones: AbstractSet[str]) -> bool:
        return self._inner.silent(zones)

    def wait_silent(self, zones: AbstractSet[str], timeout: float) -> bool:
        return self._inner.wait_silent(zones, timeout)

    def outcome_for(self, zone_id: str) -> OutletOutcome:
        return self._inner.outcome_for(zone_id)

    def done(self) -> bool:
        return self._inner.done()

    def finished_so_far(self) -> list:
        return self._inner.finished_so_far()


class _CrashingPlayback(_TimedPlayback):
    """The process dies ``seconds`` into this play: one heartbeat tells how far it got."""

    def __init__(self, inner: Playback, clock: FakeClock, seconds: float):
        super().__init__(inner, clock)
        self._seconds = seconds

    def wait(self, timeout: float | None = None) -> PlayResult:
        if not self._moved:
            self._moved = True
            self._clock.advance(timedelta(seconds=self._seconds))
            raise TimeoutError("still playing")  # the runner logs its progress
        raise Crash

    def finished_so_far(self) -> list:
        return []


class _InterruptedPlayback(_TimedPlayback):
    """A play in real time, during which ``happen`` is called (an emergency is sent)."""

    def __init__(self, inner: Playback, clock: FakeClock, happen: Callable[[], None]):
        super().__init__(inner, clock)
        self._happen: Callable[[], None] | None = happen

    def wait(self, timeout: float | None = None) -> PlayResult:
        happen, self._happen = self._happen, None
        if happen is not None:
            happen()
        return super().wait(timeout)


@dataclass
class Interrupt:
    """Something that happens at ``moment`` during a play on any of ``zones``: ``prepare`` is
    called as that play starts and returns what happens while it plays."""

    moment: datetime
    zones: frozenset[str]
    prepare: Callable[[], Callable[[], None]]


class SimulatedCard:
    """The station's outputs: each zone writes WAV files into its own folder (a ``FileSink``
    each, on the fake clock, named by the time and the zone)."""

    def __init__(self, root: Path, clock: FakeClock, zones: Iterable[str]):
        self.root = root
        self._clock = clock
        self._sinks = {zone: FileSink(root / zone, realtime=False, clock=clock) for zone in zones}
        self.crash_at: datetime | None = None  # the process dies then, if it plays then
        self.interrupt: Interrupt | None = None

    def folder(self, zone: str) -> Path:
        return self.root / zone

    def fail(self, zone: str) -> None:
        """The zone's folder becomes a regular file: nothing can be written under it."""
        folder = self.folder(zone)
        if folder.is_dir():
            folder.rename(self._kept(zone))
        folder.write_text("không phải thư mục\n", encoding="utf-8")

    def restore(self, zone: str) -> None:
        self.folder(zone).unlink()
        if self._kept(zone).is_dir():
            self._kept(zone).rename(self.folder(zone))

    def _kept(self, zone: str) -> Path:
        return self.root / f".{zone}.kept"

    def health(self, zones: Sequence[ZoneSpeakers]) -> list[ZoneHealth]:
        return [self._sinks[zone.zone_id].health([zone])[0] for zone in zones]

    def start(
        self,
        audio: np.ndarray,
        sample_rate: int,
        zones: Sequence[ZoneSpeakers],
        label: str = "",
        at: float | None = None,  # the fake clock's plays start when they are asked to
    ) -> Playback:
        now = self._clock.now()
        end = now + timedelta(seconds=len(audio) / sample_rate)
        if self.crash_at is not None and self.crash_at < end:
            frames = round((self.crash_at - now).total_seconds() * sample_rate)
            if frames <= 0:
                raise Crash  # before this play started: no row, no file
            written = self._write(self._sinks, audio[:frames], sample_rate, zones, label)
            return _CrashingPlayback(written, self._clock, frames / sample_rate)
        interrupt = self.interrupt
        if (
            interrupt is not None
            and interrupt.moment < end
            and not interrupt.zones.isdisjoint(z.zone_id for z in zones)
        ):
            self.interrupt = None
            happen = interrupt.prepare()  # before the play, which takes only real seconds
            realtime = {
                zone: FileSink(self.folder(zone), realtime=True, clock=self._clock)
                for zone in self._sinks
            }
            written = self._write(realtime, audio, sample_rate, zones, label)
            return _InterruptedPlayback(written, self._clock, happen)
        written = self._write(self._sinks, audio, sample_rate, zones, label)
        return _TimedPlayback(written, self._clock)

    @staticmethod
    def _write(
        sinks: dict[str, FileSink],
        audio: np.ndarray,
        sample_rate: int,
        zones: Sequence[ZoneSpeakers],
        label: str,
    ) -> Playback:
        return Playback.together(
            [sinks[zone.zone_id].start(audio, sample_rate, [zone], label) for zone in zones]
        )
