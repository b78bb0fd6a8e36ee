"""The sound of each planned segment, ready for a sink: rendered scripts, chime, media files.

Scripts come from the render stage's cache (through its manifest), never synthesized here:
the daemon renders ahead of air time. Chime and media files are brought to the same loudness
as rendered speech and kept in memory, since a program plays them again and again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from broadcast.audio.chime import builtin_chime
from broadcast.audio.loudness import normalize
from broadcast.audio.manifest import AudioManifest
from broadcast.audio.wavfile import SAMPLE_RATE, intact_frames, read_wav
from broadcast.config import Config
from broadcast.config.model import SegmentKind
from broadcast.media.ffmpeg import AudioDecodeError, decode
from broadcast.paths import ProjectPaths
from broadcast.playlog import Reason
from broadcast.schedule import PlannedSegment


@dataclass(frozen=True)
class SegmentAudio:
    samples: np.ndarray  # mono, SAMPLE_RATE; int16 for rendered files (played bit-exactly)
    audio_hash: str | None = None
    engine: str | None = None
    voice: str | None = None

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE


class AudioUnavailable(Exception):
    """A segment has no playable audio; ``reason`` is a play-log reason code."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        self.message = message  # Vietnamese, for the technician
        super().__init__(message)


def as_pcm16(samples: np.ndarray) -> np.ndarray:
    """Float samples read from one of our 16-bit WAVs, back to the exact integers."""
    return np.round(samples * 32768.0).astype(np.int16)


class SegmentAudioSource:
    """Finds and loads the audio of planned segments; safe to use from several threads."""

    def __init__(self, paths: ProjectPaths, config: Config, manifest: AudioManifest):
        self._paths = paths
        self._config = config
        self.manifest = manifest
        self._lock = threading.Lock()
        self._levelled: dict[tuple[str, int], np.ndarray] = {}  # chime and media, by file

    def for_segment(self, segment: PlannedSegment) -> SegmentAudio:
        if segment.kind is SegmentKind.CHIME:
            return SegmentAudio(self._levelled_audio("chime", None))
        if segment.kind is SegmentKind.SCRIPT:
            return self.for_script(segment.script_id or "")
        if segment.file is None:
            raise AudioUnavailable(Reason.AUDIO_MISSING, f"đoạn {segment.kind} không có tệp")
        return SegmentAudio(self._levelled_audio(segment.file, self._paths.home / segment.file))

    def for_script(self, script_id: str) -> SegmentAudio:
        entry = self.manifest.entry(script_id)
        if entry is None:
            if script_id in self.manifest.failures:
                raise AudioUnavailable(
                    Reason.TTS_FAILED,
                    f'bài "{script_id}" chưa có âm thanh: {self.manifest.failures[script_id]}',
                )
            raise AudioUnavailable(
                Reason.AUDIO_MISSING, f'bài "{script_id}" chưa được tạo âm thanh'
            )
        if intact_frames(entry.path) != entry.frames:
            raise AudioUnavailable(
                Reason.AUDIO_MISSING, f'tệp âm thanh của bài "{script_id}" bị hỏng hoặc mất'
            )
        return SegmentAudio(
            as_pcm16(read_wav(entry.path)), entry.audio_hash, entry.engine, entry.voice
        )

    def _levelled_audio(self, name: str, path: Path | None) -> np.ndarray:
        stamp = 0
        if path is not None:
            try:
                stamp = path.stat().st_mtime_ns
            except OSError as exc:
                raise AudioUnavailable(Reason.AUDIO_MISSING, f"không tìm thấy tệp {name}") from exc
        key = (name, stamp)
        with self._lock:
            cached = self._levelled.get(key)
        if cached is not None:
            return cached
        try:
            raw = builtin_chime(SAMPLE_RATE) if path is None else decode(path, SAMPLE_RATE)
        except AudioDecodeError as exc:
            raise AudioUnavailable(Reason.AUDIO_MISSING, f"{name}: {exc}") from exc
        loudness = self._config.tts.loudness
        levelled = normalize(
            raw, SAMPLE_RATE, loudness.target_lufs, loudness.true_peak_dbtp
        ).samples
        with self._lock:
            self._levelled[key] = levelled
        return levelled
