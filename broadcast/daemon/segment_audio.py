"""The sound of each planned segment, ready for a sink: rendered scripts, chime, media files.

Scripts come from the render stage's cache (through its manifest), never synthesized here:
the daemon renders ahead of air time; a rendered file is mapped, not read (``read_pcm16``).
Chime and media files are brought to the same loudness as rendered speech and kept in memory,
since a program plays them again and again. That levelling runs in a process of its own: it
needs scipy and pyloudnorm, ~70 MB that would otherwise stay in the daemon for good.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from broadcast.audio.chime import builtin_chime
from broadcast.audio.loudness import normalize
from broadcast.audio.manifest import AudioManifest
from broadcast.audio.wavfile import SAMPLE_RATE, read_pcm16
from broadcast.config import Config
from broadcast.config.model import SegmentKind
from broadcast.media.ffmpeg import AudioDecodeError, decode
from broadcast.paths import ProjectPaths
from broadcast.playlog import Reason
from broadcast.schedule import PlannedSegment

T = TypeVar("T")


@dataclass(frozen=True)
class SegmentAudio:
    samples: np.ndarray  # mono, SAMPLE_RATE; int16 for rendered files (played bit-exactly)
    audio_hash: str | None = None
    engine: str | None = None
    voice: str | None = None

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE


READY_KEPT = 4  # scripts read ahead at most: the airings due next, not a whole day
M_MMAP_THRESHOLD = -3  # mallopt's parameter (glibc's malloc.h)
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's own starting value, kept from then on


@dataclass
class AudioMemory:
    """What the daemon keeps in memory across its inputs' versions."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    # chime and media, levelled: by file, its modification time and the loudness target
    levelled: dict[tuple[str, int, object], np.ndarray] = field(default_factory=dict)
    ready: dict[str, SegmentAudio] = field(default_factory=dict)  # scripts read ahead

    @classmethod
    def for_daemon(cls) -> AudioMemory:
        """The daemon's audio memory; and audio buffers it frees go back to the system.

        glibc raises its mmap threshold to the size of each large block freed (up to 32 MB);
        from then on arrays of a few MB (a bulletin, a fade's blocks) come from its arenas,
        which keep them once freed. bench/idle.py: 37 MB more at rest after one program and
        six bulletins, 13 MB with the threshold held. Not glibc (Windows, macOS): nothing.
        """
        with contextlib.suppress(OSError, TypeError, AttributeError):  # no libc, no mallopt
            ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        return cls()

    @staticmethod
    def give_back() -> None:
        """Hand the allocator's free pages back to the system, once the air falls silent.

        Smaller blocks (a bulletin's bookkeeping, control connections, each thread's arena)
        stay with glibc once freed; bench/idle.py: 13 MB more at rest after programs and
        bulletins without this. Only between airings: it locks each arena while it works.
        """
        with contextlib.suppress(OSError, TypeError, AttributeError):  # no glibc: nothing
            ctypes.CDLL(None).malloc_trim(0)


class AudioUnavailable(Exception):
    """A segment has no playable audio; ``reason`` is a play-log reason code."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        self.message = message  # Vietnamese, for the technician
        super().__init__(message)


def as_pcm16(samples: np.ndarray) -> np.ndarray:
    """Float samples read from one of our 16-bit WAVs, back to the exact integers."""
    return np.round(samples * 32768.0).astype(np.int16)


def in_own_process(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in a process started for it (``function`` must be importable by
    name): the libraries it imports and the memory it takes leave with that process."""
    # "spawn", as the render workers: a fork would copy the daemon's threads' locks mid-use.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def levelled(source: Path | None, target_lufs: float, true_peak_dbtp: float) -> np.ndarray | str:
    """``source`` (the built-in chime when ``None``) at broadcast loudness, or why it could not
    be decoded (Vietnamese)."""
    try:
        raw = builtin_chime(SAMPLE_RATE) if source is None else decode(source, SAMPLE_RATE)
    except AudioDecodeError as exc:
        return str(exc)
    return normalize(raw, SAMPLE_RATE, target_lufs, true_peak_dbtp).samples


class SegmentAudioSource:
    """Finds and loads the audio of planned segments; safe to use from several threads."""

    def __init__(
        self,
        paths: ProjectPaths,
        config: Config,
        manifest: AudioManifest,
        memory: AudioMemory | None = None,
    ):
        self._paths = paths
        self._config = config
        self.manifest = manifest
        # The daemon passes the same memory to each source it makes after an edit or a
        # render: what was levelled or read ahead is never redone at air time.
        self._memory = memory or AudioMemory()
        self._lock = self._memory.lock
        self._levelled = self._memory.levelled
        self._ready = self._memory.ready

    def prepare(self, segments: Iterable[PlannedSegment], script_limit: int = 1) -> None:
        """Load what an airing opens with before its instant: chime and media levelled, and
        its first ``script_limit`` scripts read, so its first sample is not late. Problems are
        left for air time, where they are logged."""
        scripts = 0
        for segment in segments:
            try:
                if segment.kind is SegmentKind.SCRIPT:
                    if scripts >= script_limit:
                        continue
                    scripts += 1
                    script_id = segment.script_id or ""
                    audio = self.for_script(script_id)
                    with self._lock:
                        self._ready[script_id] = audio
                        while len(self._ready) > READY_KEPT:  # plans change: forget the oldest
                            del self._ready[next(iter(self._ready))]
                else:
                    self.for_segment(segment)
            except AudioUnavailable:
                continue

    def for_segment(self, segment: PlannedSegment) -> SegmentAudio:
        if segment.kind is SegmentKind.CHIME:
            return SegmentAudio(self._levelled_audio("chime", None))
        if segment.kind is SegmentKind.SCRIPT:
            return self.for_script(segment.script_id or "")
        if segment.file is None:
            raise AudioUnavailable(Reason.AUDIO_MISSING, f"đoạn {segment.kind} không có tệp")
        return SegmentAudio(self._levelled_audio(segment.file, self._paths.home / segment.file))

    def ready_scripts(self) -> set[str]:
        """Scripts already read for an airing to come."""
        with self._lock:
            return set(self._ready)

    def for_script(self, script_id: str) -> SegmentAudio:
        with self._lock:
            ready = self._ready.pop(script_id, None)
        entry = self.manifest.entry(script_id)
        if ready is not None and entry is not None and ready.audio_hash == entry.audio_hash:
            return ready
        return self.rendered(script_id)

    def rendered(self, script_id: str) -> SegmentAudio:
        """The script's rendered file, mapped (not read), leaving what was read ahead for the
        airing that will play it; ``AudioUnavailable`` without one."""
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
        samples = read_pcm16(entry.path)
        if samples is None or len(samples) != entry.frames:
            raise AudioUnavailable(
                Reason.AUDIO_MISSING, f'tệp âm thanh của bài "{script_id}" bị hỏng hoặc mất'
            )
        return SegmentAudio(samples, entry.audio_hash, entry.engine, entry.voice)

    def _levelled_audio(self, name: str, path: Path | None) -> np.ndarray:
        stamp = 0
        if path is not None:
            try:
                stamp = path.stat().st_mtime_ns
            except OSError as exc:
                raise AudioUnavailable(Reason.AUDIO_MISSING, f"không tìm thấy tệp {name}") from exc
        key = (name, stamp, self._config.tts.loudness)
        with self._lock:
            cached = self._levelled.get(key)
        if cached is not None:
            return cached
        loudness = self._config.tts.loudness
        try:
            result = in_own_process(levelled, path, loudness.target_lufs, loudness.true_peak_dbtp)
        except BrokenProcessPool as exc:  # the process could not start, or was killed
            raise AudioUnavailable(Reason.AUDIO_MISSING, f"{name}: {exc}") from exc
        if isinstance(result, str):
            raise AudioUnavailable(Reason.AUDIO_MISSING, f"{name}: {result}")
        with self._lock:
            # An edited file or a new loudness target: its previous version is not played again.
            for old in [k for k in self._levelled if k[0] == name]:
                del self._levelled[old]
            self._levelled[key] = result
        return result
