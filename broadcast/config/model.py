"""Validated settings from ``schedules.yaml``: plain values, no YAML left in them.

Each object keeps the ``line`` it was written on so later stages (the planner, the daemon) can
still point the technician at the right place in ``schedules.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from pathlib import Path

from broadcast.scripts.model import Priority


@dataclass(frozen=True)
class ZoneOutput:
    device: str | int  # PortAudio device name (or part of it) or index; "" for an IP zone
    channels: tuple[int, ...]  # 1-based, as printed on the sound card; () for an IP zone
    ip: bool = False  # `output: ip`: heard through IP clusters, not the station's sound card


@dataclass(frozen=True)
class Zone:
    id: str
    name: str  # Vietnamese, for people
    output: ZoneOutput
    volume_db: float = 0.0
    fallback_to_file: bool = False  # write WAV files when the device is missing
    line: int | None = None

    @property
    def is_ip(self) -> bool:
        """Served by IP loudspeaker clusters (``broadcast clusters``): no device to open."""
        return self.output.ip


class SegmentKind(StrEnum):
    CHIME = "chime"
    INTRO = "intro"
    SCRIPTS = "scripts"  # chosen by topic and priority at each airing
    SCRIPT = "script"  # one named script
    AUDIO = "audio"
    OUTRO = "outro"


@dataclass(frozen=True)
class ChimeSegment:
    line: int | None = None
    kind: SegmentKind = SegmentKind.CHIME


@dataclass(frozen=True)
class FileSegment:
    """A pre-recorded file under ``media/``: intro, outro or a programme (mp3/wav)."""

    kind: SegmentKind  # INTRO, AUDIO or OUTRO
    file: str  # relative to the project folder, forward slashes: "media/nhac-hieu.mp3"
    path: Path  # absolute, checked to lie inside media/
    line: int | None = None


@dataclass(frozen=True)
class NamedScriptSegment:
    script_id: str
    line: int | None = None
    kind: SegmentKind = SegmentKind.SCRIPT


@dataclass(frozen=True)
class SelectionSegment:
    """Scripts chosen at each airing: priority first, then the least recently heard."""

    topics: frozenset[str] | None = None  # None: every topic
    priority_min: Priority = Priority.NORMAL
    max_count: int | None = None
    max_seconds: float | None = None
    line: int | None = None
    kind: SegmentKind = SegmentKind.SCRIPTS

    def accepts(self, topic: str | None, priority: Priority) -> bool:
        if priority.rank < self.priority_min.rank:
            return False
        return self.topics is None or topic in self.topics


Segment = ChimeSegment | FileSegment | NamedScriptSegment | SelectionSegment


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    segments: tuple[Segment, ...]
    line: int | None = None


@dataclass(frozen=True)
class Slot:
    """A recurring broadcast: at ``times`` on ``weekdays``, within an optional date window."""

    id: str
    name: str
    times: tuple[time, ...]  # sorted
    weekdays: frozenset[int]  # 0 = Monday, as date.weekday()
    program: str
    zones: tuple[str, ...]  # expanded zone ids, in the order zones are declared
    max_seconds: float
    date_from: date | None = None
    date_until: date | None = None
    except_dates: frozenset[date] = frozenset()
    skip_holidays: bool = False
    line: int | None = None

    def runs_on(self, day: date) -> bool:
        """Weekday, date window and excluded dates; holidays are the calendar's business."""
        if day.weekday() not in self.weekdays or day in self.except_dates:
            return False
        if self.date_from and day < self.date_from:
            return False
        return not (self.date_until and day > self.date_until)


@dataclass(frozen=True)
class QuietHours:
    """Only emergency bulletins may air from ``start`` until ``end`` (may cross midnight)."""

    start: time
    end: time
    line: int | None = None

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end
