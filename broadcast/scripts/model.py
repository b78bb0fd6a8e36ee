"""What the board's drop folder yields: one ``Script`` per accepted file."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from broadcast.diagnostics import Diagnostic

# Airtime of a script not rendered yet. Measured on the 19 sample scripts of scripts_vi/
# rendered offline with espeak-ng (sample pauses, no chime per script): 31,573 characters made
# 2,507 s of audio, 12.6 a second; each script within 18% of it, 6% on average. gTTS (needs
# the network) was not measured. tests/test_cli_durations.py renders the sample and checks it.
CHARS_PER_SECOND = 12.6


class Priority(StrEnum):
    """The three bulletin classes of Circular 39/2020/TT-BTTTT."""

    NORMAL = "normal"  # thông thường
    PRIORITY = "priority"  # ưu tiên
    EMERGENCY = "emergency"  # khẩn cấp

    @property
    def rank(self) -> int:
        """Higher airs first."""
        return {"normal": 0, "priority": 1, "emergency": 2}[self.value]


# Every way a priority may be written, in scripts and in schedules.yaml alike: the one table
# that reads them and that the messages and README show. Lower case, NFC; typed without
# accents also counts (``khan cap``).
PRIORITY_NAMES: dict[Priority, tuple[str, ...]] = {
    Priority.NORMAL: ("normal", "thông thường", "bình thường", "thường", "thấp"),
    Priority.PRIORITY: ("priority", "ưu tiên", "cao"),
    Priority.EMERGENCY: ("emergency", "khẩn cấp", "khẩn"),
}


def without_accents(text: str) -> str:
    """ "Khẩn cấp" → "Khan cap": the way a word is typed on a keyboard without Vietnamese."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_PRIORITY_WORDS = {
    spelling: priority
    for priority, names in PRIORITY_NAMES.items()
    for name in names
    for spelling in (name, without_accents(name))
}


def priority_named(text: str) -> Priority | None:
    """The priority ``text`` names (``Khẩn cấp``, ``uu tien``, ``normal``…), or ``None``."""
    return _PRIORITY_WORDS.get(" ".join(unicodedata.normalize("NFC", text).lower().split()))


def priority_forms(*priorities: Priority) -> str:
    """The accepted words for ``priorities``, for a message: ``normal (thông thường, …) hoặc
    priority (ưu tiên, cao)``."""
    shown = [f"{p.value} ({', '.join(PRIORITY_NAMES[p][1:])})" for p in priorities]
    return " hoặc ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 1 else shown)


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
    # (field, where it was written) for each field given, e.g. ("topic", "bảng đầu văn bản Word")
    field_origins: tuple[tuple[str, str], ...] = ()
    encoding: str = "utf-8"  # as detected in the file
    recording: Path | None = None  # absolute path of the announcer's audio, for recordings
    recording_seconds: float | None = None
    warnings: tuple[Diagnostic, ...] = field(default=())
    # Parts of the file not spoken that the board should know of, each with where it is:
    # 'dòng 14–20: phần cuối văn bản (nơi nhận, chữ ký) không đọc lên loa; …'
    left_out: tuple[str, ...] = ()

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
