"""What an approval is for: the words as written, a recording's bytes, and the fields that
change what airs — never the file's name, its time or its author.

The text is hashed as the reader gives it (NFC, one kind of line break, title then body), so
saving the same words again from Word or Notepad keeps the approval and a one-character edit
loses it. The airing fields are kept as values, so ``check`` can say which one changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from broadcast.audio.cache import file_digest
from broadcast.scripts.model import Script

# The front-matter fields that change what airs, where or how often, with how they are
# named to the board. ``author`` and the file's own name are not among them.
AIRING_FIELDS: dict[str, str] = {
    "topic": "chủ đề",
    "priority": "mức ưu tiên",
    "valid_from": "ngày bắt đầu phát",
    "valid_until": "ngày hết hạn",
    "zones": "khu vực phát",
    "times_per_week": "số lần phát mỗi tuần",
    "voice": "giọng đọc",
    "speed": "tốc độ đọc",
}
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value if value is None or isinstance(value, int | float | str) else str(value)


def text_digest(title: str, body: str) -> str:
    """SHA-256 of the words as read: the title, a blank line, the body (UTF-8)."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    text_sha256: str
    recording_sha256: str | None  # a recorded bulletin's own audio file
    airing: Mapping[str, object]  # AIRING_FIELDS' values, JSON-ready

    @property
    def sha256(self) -> str:
        """The one hash an approval names: text, recording and airing fields together."""
        whole = {"text": self.text_sha256, "recording": self.recording_sha256, **self.airing}
        return hashlib.sha256(_ENCODER.encode(whole).encode()).hexdigest()

    def airing_json(self) -> str:
        return _ENCODER.encode(dict(self.airing))

    def changes_from(self, earlier: Fingerprint) -> list[str]:
        """What differs from ``earlier``, as the board names it: "nội dung", "khu vực phát"."""
        changed = []
        if self.text_sha256 != earlier.text_sha256:
            changed.append("nội dung")
        if self.recording_sha256 != earlier.recording_sha256:
            changed.append("tệp ghi âm")
        changed += [
            label
            for name, label in AIRING_FIELDS.items()
            if self.airing.get(name) != earlier.airing.get(name)
        ]
        return changed


def fingerprint_of(script: Script) -> Fingerprint:
    """The fingerprint of ``script`` as it reads now."""
    recording = file_digest(script.recording) if script.recording is not None else None
    airing = {name: _plain(getattr(script, name)) for name in AIRING_FIELDS}
    return Fingerprint(text_digest(script.title, script.body), recording, airing)


def fingerprint_from(text_sha256: str, recording_sha256: str | None, airing: str) -> Fingerprint:
    """A fingerprint as stored with an event (``airing`` as ``airing_json`` wrote it)."""
    return Fingerprint(text_sha256, recording_sha256, json.loads(airing))
