"""Putting a bulletin together: chime, spoken title, pauses, body, optional repeat, outro.

Everything is assembled as float samples at the speech's own rate, so nothing clips before the
limiter; only the finished programme is converted to 48 kHz.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import soxr

from broadcast.audio.chime import builtin_chime
from broadcast.audio.loudness import Normalized, normalize
from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.config.tts import BUILTIN_CHIME, LoudnessSettings, PauseSettings, TtsSettings
from broadcast.media.ffmpeg import decode

SILENCE_THRESHOLD = 10 ** (-50 / 20)  # below -50 dBFS counts as the engine's own silence
EDGE_KEEP_SECONDS = 0.03  # keep a little of it so consonants are not clipped


@dataclass(frozen=True)
class Programme:
    samples: np.ndarray  # float32 at 48 kHz, ready for ``write_wav``
    loudness_lufs: float
    true_peak_dbtp: float

    @property
    def duration_seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def silence(milliseconds: int, sample_rate: int) -> np.ndarray:
    return np.zeros(int(sample_rate * milliseconds / 1000), dtype=np.float32)


def trim_silence(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Drop the engine's leading and trailing silence; our pauses replace it."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE_THRESHOLD)
    if not len(loud):
        return samples[:0]
    keep = int(EDGE_KEEP_SECONDS * sample_rate)
    return samples[max(0, loud[0] - keep) : loud[-1] + keep + 1]


def join_speech(
    title: list[np.ndarray],
    paragraphs: list[list[np.ndarray]],
    pauses: PauseSettings,
    sample_rate: int,
) -> np.ndarray:
    """Title sentences, a pause, then paragraphs; pauses at sentence and paragraph breaks."""
    sentence_gap = silence(pauses.sentence_ms, sample_rate)
    parts: list[np.ndarray] = []
    for index, sentence in enumerate(title):
        parts += [sentence] if index == 0 else [sentence_gap, sentence]
    for index, paragraph in enumerate(paragraphs):
        if parts:
            gap = pauses.after_title_ms if index == 0 else pauses.paragraph_ms
            parts.append(silence(gap, sample_rate))
        for position, sentence in enumerate(paragraph):
            parts += [sentence] if position == 0 else [sentence_gap, sentence]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def with_repeat(
    message: np.ndarray, announcement: np.ndarray, pauses: PauseSettings, sample_rate: int
) -> np.ndarray:
    """The message, then "xin nhắc lại" and the message once more."""
    return np.concatenate(
        [
            message,
            silence(pauses.paragraph_ms, sample_rate),
            announcement,
            silence(pauses.after_title_ms, sample_rate),
            message,
        ]
    )


@lru_cache(maxsize=16)
def _bumper(
    source: str, modified_ns: int, sample_rate: int, loudness: LoudnessSettings
) -> Normalized:
    """Chime or outro at the programme's rate and loudness (computed once per run and rate)."""
    if source == BUILTIN_CHIME:
        raw = builtin_chime(sample_rate)
    else:
        raw = decode(Path(source), sample_rate)
    return normalize(raw, sample_rate, loudness.target_lufs, loudness.true_peak_dbtp)


def _bumper_for(
    choice: Path | str | None, sample_rate: int, settings: TtsSettings
) -> list[Normalized]:
    if choice is None:
        return []
    modified = 0 if choice == BUILTIN_CHIME else Path(choice).stat().st_mtime_ns
    return [_bumper(str(choice), modified, sample_rate, settings.loudness)]


def finish(speech: np.ndarray, sample_rate: int, settings: TtsSettings) -> Programme:
    """Frame the speech with chime and outro, bring the whole to the target loudness (the
    speech takes the gain: chime and outro are already there), convert to 48 kHz."""
    loudness = settings.loudness
    gap = silence(settings.pauses.around_chime_ms, sample_rate)
    chime = _bumper_for(settings.chime, sample_rate, settings)
    outro = _bumper_for(settings.outro, sample_rate, settings)
    programme = normalize(
        speech,
        sample_rate,
        loudness.target_lufs,
        loudness.true_peak_dbtp,
        before=[*(b.samples for b in chime), *([gap] if chime else [])],
        after=[*([gap] if outro else []), *(b.samples for b in outro)],
    )
    samples = programme.samples
    if sample_rate != SAMPLE_RATE:
        samples = soxr.resample(samples, sample_rate, SAMPLE_RATE, "HQ")
    # Chime and outro were limited on their own, so the programme's peak is the largest.
    peak = max(part.true_peak_dbtp for part in [programme, *chime, *outro])
    return Programme(samples.astype(np.float32), programme.loudness_lufs, peak)
