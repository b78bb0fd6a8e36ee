"""The manifest: which audio file currently stands for each script, and how it was made.

The planner and the playback daemon read it through ``AudioManifest.load(paths)``; only the
render stage writes it (atomically, so a reader never sees half a file).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from broadcast.audio.chime import builtin_chime
from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.media.files import atomic_write
from broadcast.paths import ProjectPaths
from broadcast.scripts.model import Script

MANIFEST_NAME = "manifest.json"
CHIME_KEY = "chime"  # the planner's key for the chime's length
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ManifestEntry:
    script_id: str
    file: str  # name inside the audio cache folder
    key: str  # cache key: hash of every input of the rendering
    engine: str | None  # None for a recorded bulletin
    voice: str | None
    duration_seconds: float
    loudness_lufs: float
    true_peak_dbtp: float
    rendered_at: str  # ISO 8601, ward time
    fell_back: bool  # made by a later engine of the chain; a later render retries the first
    audio_hash: str  # sha256 of the WAV file
    frames: int  # 48 kHz samples in the file: a shorter file is damaged
    path: Path = field(compare=False)  # absolute; not stored (the folder may move)
    # the script's ``content_hash`` when this file was made: the text (or recording) it is
    # the audio of; ``None`` in a manifest older than approvals, or for ``say``'s text
    source_hash: str | None = None

    def made_from(self, script: Script) -> bool:
        """Whether this file is the audio of ``script`` as it reads now."""
        return self.source_hash == script.content_hash


@dataclass
class AudioManifest:
    cache_dir: Path
    entries: dict[str, ManifestEntry] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # script id -> why no engine could

    @classmethod
    def load(cls, paths: ProjectPaths) -> AudioManifest:
        """The current manifest; empty when none was written yet (or it is unreadable)."""
        cache_dir = paths.audio_cache_dir
        try:
            data = json.loads((cache_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
            entries = {
                script_id: ManifestEntry(
                    script_id=script_id, path=cache_dir / fields["file"], **fields
                )
                for script_id, fields in data["scripts"].items()
            }
            failures = dict(data.get("failures", {}))
        except (OSError, ValueError, KeyError, TypeError):
            return cls(cache_dir)
        return cls(cache_dir, entries, failures)

    def entry(self, script_id: str) -> ManifestEntry | None:
        return self.entries.get(script_id)

    def airable(self, scripts: Sequence[Script]) -> list[Script]:
        """The scripts that can be planned: all but those no engine could render and that have
        no earlier audio either (``check`` and ``render`` say why). Scripts not rendered yet
        stay: the daemon renders them ahead of their slot."""
        return [s for s in scripts if s.id not in self.failures or s.id in self.entries]

    def planning_durations(self) -> dict[str, float]:
        """Seconds of every rendered script and of the built-in chime, for the planner: the
        daemon, ``plan`` and ``reconcile`` must all plan with the same lengths."""
        durations = {key: entry.duration_seconds for key, entry in self.entries.items()}
        durations[CHIME_KEY] = len(builtin_chime(SAMPLE_RATE)) / SAMPLE_RATE
        return durations

    def by_key(self) -> dict[str, ManifestEntry]:
        return {entry.key: entry for entry in self.entries.values()}

    def save(self) -> None:
        scripts = {}
        for script_id, entry in sorted(self.entries.items()):
            fields = asdict(entry)
            del fields["script_id"], fields["path"]
            scripts[script_id] = fields
        data = {"version": FORMAT_VERSION, "scripts": scripts, "failures": self.failures}
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        with atomic_write(self.cache_dir / MANIFEST_NAME) as handle:
            handle.write(text.encode("utf-8"))
