"""How long a script airs, as ``check`` shows it: the rendered audio's own length once the
script is rendered, an estimate marked as one before; and durations as the tables show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import overload

from broadcast.audio.manifest import AudioManifest, ManifestEntry
from broadcast.scripts import Script, file_saved_at

ESTIMATE_MARK = "ước tính"
# ``rendered_at`` is kept to the second; a file saved within that second was rendered after.
_SECOND = timedelta(seconds=1)


@overload
def minutes_seconds(seconds: float) -> str: ...
@overload
def minutes_seconds(seconds: None) -> None: ...
def minutes_seconds(seconds: float | None) -> str | None:
    """``m:ss``, as the tables show durations; ``None`` (unknown) stays ``None``."""
    if seconds is None:
        return None
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


@dataclass(frozen=True)
class Airtime:
    seconds: float
    rendered: bool  # the length of the audio that airs; else ``Script.estimated_seconds``

    @property
    def label(self) -> str:
        shown = minutes_seconds(self.seconds)
        return shown if self.rendered else f"~{shown} ({ESTIMATE_MARK})"


def airtime(script: Script, manifest: AudioManifest, home: Path) -> Airtime:
    entry = manifest.entry(script.id)
    if entry is not None and _current(entry, home / script.source):
        return Airtime(entry.duration_seconds, rendered=True)
    return Airtime(script.estimated_seconds, rendered=False)


def _current(entry: ManifestEntry, source: Path) -> bool:
    """The audio is still there and was made after the file was last saved: an edit since
    makes its length stale until the next render."""
    if not entry.path.is_file():
        return False
    try:
        rendered = datetime.fromisoformat(entry.rendered_at)
    except ValueError:
        return False
    saved = file_saved_at(source, rendered.tzinfo)
    return saved is None or rendered + _SECOND >= saved
