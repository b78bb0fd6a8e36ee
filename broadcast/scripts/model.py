"""What the board's drop folder yields: one ``Script`` per accepted file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from broadcast.diagnostics import Diagnostic

# Vietnamese news read aloud runs about 12-16 characters a second; the middle is our estimate.
CHARS_PER_SECOND = 14.0


class Priority(StrEnum):
    """The three bulletin classes of Circular 39/2020/TT-BTTTT."""

    NORMAL = "normal"  # thông thường
    PRIORITY = "priority"  # ưu tiên
    EMERGENCY = "emergency"  # khẩn cấp

    @property
    def rank(self) -> int:
        """Higher airs first."""
        return {"normal": 0, "priority": 1, "emergency": 2}[self.value]


class ScriptKind(StrEnum):
    TEXT = "text"  # synthesized from its words
    RECORDING = "recording"  # read by a human announcer; metadata from a sidecar .yaml


@dataclass(frozen=True)
class Script:
    id: str  # stable, from the path below scripts_vi/ without extension: "2023-02/dvc-muc-4"
    source: str  # path relative to the project folder, for messages
    kind: ScriptKind
    title: str  # NFC
    body: str  # NFC; paragraphs separated by one blank line ("\n\n")
    content_hash: str  # sha256 hex over everything that changes the audio
    topic: str | None = None
    priority: Priority = Priority.NORMAL
    valid_from: date | None = None
    valid_until: date | None = None
    zones: tuple[str, ...] | None = None  # None: every zone
    times_per_week: int | None = None
    voice: str | None = None
    speed: float | None = None  # 1.0 = the engine's normal pace
    author: str | None = None
    encoding: str = "utf-8"  # as detected in the file
    recording: Path | None = None  # absolute path of the announcer's audio, for recordings
    recording_seconds: float | None = None
    warnings: tuple[Diagnostic, ...] = field(default=())

    @property
    def characters(self) -> int:
        return len(self.title) + len(self.body)

    @property
    def estimated_seconds(self) -> float:
        """Airtime before rendering: measured for recordings, estimated for text."""
        if self.recording_seconds is not None:
            return self.recording_seconds
        return self.characters / CHARS_PER_SECOND

    def is_valid_on(self, day: date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)
