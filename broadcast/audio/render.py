"""Rendering one script: cache lookup, engine chain with fallback, assembly, atomic write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

import numpy as np
import soxr

from broadcast.audio.assembly import (
    Programme,
    finish,
    join_speech,
    trim_silence,
    with_repeat,
)
from broadcast.audio.cache import audio_file, cache_write_problem, file_digest, render_key
from broadcast.audio.loudness import gain_to_db, integrated_loudness, true_peak
from broadcast.audio.manifest import AudioManifest, ManifestEntry
from broadcast.audio.reading import Reading
from broadcast.audio.wavfile import SAMPLE_RATE, intact_frames, read_wav, write_wav
from broadcast.clock import Clock
from broadcast.config.tts import TtsSettings
from broadcast.media.ffmpeg import AudioDecodeError, decode
from broadcast.scripts.model import Script, ScriptKind
from broadcast.tts.chain import EngineChain
from broadcast.tts.engine import Piece, SpeechEngine, SynthesisError
from broadcast.tts.phrases import Sentence

REPEAT_ANNOUNCEMENT = "Xin nhắc lại."


class RenderOutcome(StrEnum):
    RENDERED = "rendered"  # synthesized (or decoded) and written in this run
    CACHED = "cached"  # an intact file for exactly these inputs already existed
    FAILED = "failed"  # no engine could produce it


@dataclass(frozen=True)
class TextJob:
    """A text script (or ``say``'s text): spoken by the engine chain."""

    script_id: str
    reading: Reading
    voice: str | None  # as the script asks; each engine picks its nearest
    speed: float
    source_hash: str | None = None  # the script's ``content_hash``: which text it speaks


@dataclass(frozen=True)
class RecordingJob:
    """A recorded bulletin: decoded and brought to loudness, never re-synthesized."""

    script_id: str
    recording: Path
    source_hash: str | None = None  # the script's ``content_hash``


RenderJob = TextJob | RecordingJob  # plain data, so a job can cross to a worker process


@dataclass(frozen=True)
class RenderResult:
    script_id: str
    outcome: RenderOutcome
    entry: ManifestEntry | None
    problems: tuple[str, ...] = ()  # why engines failed (Vietnamese), fallback or not

    @property
    def fell_back(self) -> bool:
        return bool(self.entry and self.entry.fell_back)

    @property
    def duration_seconds(self) -> float | None:
        return self.entry.duration_seconds if self.entry else None


def job_for(script: Script, read: Callable[[str, str], Reading]) -> RenderJob:
    """``read`` turns title and body into spoken sentences (see ``reading_function``)."""
    if script.kind is ScriptKind.RECORDING:
        if script.recording is None:
            raise ValueError(f"recording script {script.id!r} names no audio file")
        return RecordingJob(script.id, script.recording, script.content_hash)
    spoken = read(script.title, script.body)
    return TextJob(script.id, spoken, script.voice, script.speed or 1.0, script.content_hash)


def _maker(job: RenderJob, engine: SpeechEngine | None) -> tuple[str | None, str | None]:
    """Engine and voice of a file, as the manifest records them (none for a recording)."""
    if engine is None or isinstance(job, RecordingJob):
        return None, None
    return engine.name, engine.voice_for(job.voice)


class Renderer:
    """Renders jobs into ``cache_dir``; keeps what it learns about cached files for one run."""

    def __init__(
        self,
        cache_dir: Path,
        settings: TtsSettings,
        chain: EngineChain,
        clock: Clock,
        known: AudioManifest | None = None,
    ):
        self.cache_dir = cache_dir
        self.settings = settings
        self.chain = chain
        self.clock = clock
        self._by_key = known.by_key() if known else {}

    # -- keys and cache -------------------------------------------------------------------

    def _recording_key(self, job: RecordingJob) -> str:
        return render_key(file_digest(job.recording), self.settings)

    def _text_keys(self, job: TextJob) -> list[tuple[SpeechEngine, str]]:
        """Cache key for each engine of the chain, in preference order."""
        content = job.reading.fingerprint()
        return [
            (
                engine,
                render_key(
                    content,
                    self.settings,
                    engine.name,
                    engine.voice_for(job.voice),
                    engine.speed * job.speed,
                ),
            )
            for engine in self.chain.engines
        ]

    def cached(
        self, job: RenderJob, engine: SpeechEngine | None, key: str, fell_back: bool
    ) -> ManifestEntry | None:
        """The entry for an intact file with this key, or ``None`` (missing or damaged)."""
        path = audio_file(self.cache_dir, key)
        frames = intact_frames(path)
        if frames is None:
            return None
        known = self._by_key.get(key)
        if known is not None:
            if known.frames != frames:
                return None
            return replace(
                known, script_id=job.script_id, fell_back=fell_back, source_hash=job.source_hash
            )
        # A file without a manifest record (the manifest was lost): measure it once.
        samples = read_wav(path)
        engine_name, voice = _maker(job, engine)
        entry = ManifestEntry(
            script_id=job.script_id,
            file=path.name,
            key=key,
            engine=engine_name,
            voice=voice,
            duration_seconds=round(frames / SAMPLE_RATE, 3),
            loudness_lufs=round(integrated_loudness(samples, SAMPLE_RATE), 2),
            true_peak_dbtp=round(gain_to_db(true_peak(samples)), 2),
            rendered_at=self._now(),
            fell_back=fell_back,
            audio_hash=file_digest(path),
            frames=frames,
            path=path,
            source_hash=job.source_hash,
        )
        self._by_key[key] = entry
        return entry

    def lookup(self, job: RenderJob) -> RenderResult | None:
        """A cache hit for the preferred engine, without synthesizing anything."""
        if isinstance(job, RecordingJob):
            entry = self.cached(job, None, self._recording_key(job), fell_back=False)
        else:
            engine, key = self._text_keys(job)[0]
            entry = self.cached(job, engine, key, fell_back=False)
        return RenderResult(job.script_id, RenderOutcome.CACHED, entry) if entry else None

    # -- rendering ------------------------------------------------------------------------

    def render(self, job: RenderJob) -> RenderResult:
        hit = self.lookup(job)
        if hit is not None:
            return hit
        if isinstance(job, RecordingJob):
            return self._render_recording(job)
        problems: list[str] = []
        for position, (engine, key) in enumerate(self._text_keys(job)):
            fell_back = position > 0
            if fell_back:
                # Audio from this fallback already exists: keep it, the preferred engine was
                # just tried again and failed.
                entry = self.cached(job, engine, key, fell_back=True)
                if entry is not None:
                    return RenderResult(job.script_id, RenderOutcome.CACHED, entry, tuple(problems))
            if self.chain.is_resting(engine):
                problems.append(f"{engine.name}: tạm ngừng thử sau nhiều lần lỗi liên tiếp")
                continue
            try:
                programme = self._speak(engine, job)
            except SynthesisError as exc:
                self.chain.record(engine, succeeded=False)
                problems.append(f"{engine.name}: {exc}")
                continue
            self.chain.record(engine, succeeded=True)
            return self._stored(job, key, programme, engine, fell_back, problems)
        return RenderResult(job.script_id, RenderOutcome.FAILED, None, tuple(problems))

    def _speak(self, engine: SpeechEngine, job: TextJob) -> Programme:
        voice = engine.voice_for(job.voice)
        rate: int | None = None

        def say(sentence: Sentence) -> np.ndarray:
            nonlocal rate
            speech = engine.synthesize(sentence, voice, job.speed)
            samples = speech.samples
            if rate is None:
                rate = speech.sample_rate
            elif speech.sample_rate != rate:
                samples = soxr.resample(samples, speech.sample_rate, rate)
            return trim_silence(samples, rate)

        reading = job.reading
        title = [say(sentence) for sentence in reading.title]
        paragraphs = [[say(sentence) for sentence in p] for p in reading.paragraphs]
        if rate is None:
            raise SynthesisError("kịch bản không có chữ nào để đọc")
        pauses = self.settings.pauses
        message = join_speech(title, paragraphs, pauses, rate)
        if not len(message):
            raise SynthesisError("bộ đọc chỉ trả về im lặng")
        if self.settings.repeat:
            announcement = say((Piece(REPEAT_ANNOUNCEMENT),))
            message = with_repeat(message, announcement, pauses, rate)
        return finish(message, rate, self.settings)

    def _render_recording(self, job: RecordingJob) -> RenderResult:
        try:
            samples = decode(job.recording, SAMPLE_RATE)
        except AudioDecodeError as exc:
            return RenderResult(job.script_id, RenderOutcome.FAILED, None, (f"bản thu: {exc}",))
        programme = finish(samples, SAMPLE_RATE, self.settings)
        return self._stored(job, self._recording_key(job), programme, None, False, [])

    def _stored(
        self,
        job: RenderJob,
        key: str,
        programme: Programme,
        engine: SpeechEngine | None,
        fell_back: bool,
        problems: list[str],
    ) -> RenderResult:
        """Write the audio; a disk that refuses it fails the script (no other engine would do
        better), and ``atomic_write`` has already removed the partial file."""
        try:
            entry = self._write(job, key, programme, engine, fell_back)
        except OSError as exc:
            problem = cache_write_problem(self.cache_dir, exc)
            return RenderResult(job.script_id, RenderOutcome.FAILED, None, (*problems, problem))
        return RenderResult(job.script_id, RenderOutcome.RENDERED, entry, tuple(problems))

    def _write(
        self,
        job: RenderJob,
        key: str,
        programme: Programme,
        engine: SpeechEngine | None,
        fell_back: bool,
    ) -> ManifestEntry:
        path = audio_file(self.cache_dir, key)
        audio_hash = write_wav(path, programme.samples)
        engine_name, voice = _maker(job, engine)
        entry = ManifestEntry(
            script_id=job.script_id,
            file=path.name,
            key=key,
            engine=engine_name,
            voice=voice,
            duration_seconds=round(programme.duration_seconds, 3),
            loudness_lufs=round(programme.loudness_lufs, 2),
            true_peak_dbtp=round(programme.true_peak_dbtp, 2),
            rendered_at=self._now(),
            fell_back=fell_back,
            audio_hash=audio_hash,
            frames=len(programme.samples),
            path=path,
            source_hash=job.source_hash,
        )
        self._by_key[key] = entry
        return entry

    def _now(self) -> str:
        return self.clock.now().isoformat(timespec="seconds")
