"""``test-zone``: a tone then the zone's name spoken, so a technician can tell which
loudspeakers answer to which zone."""

from __future__ import annotations

import numpy as np
import soxr

from broadcast.audio.loudness import db_to_gain, normalize
from broadcast.sinks.protocol import AudioSink, PlayResult, ZoneSpeakers
from broadcast.sinks.routing import INT16_MAX
from broadcast.textnorm import normalize as normalize_text
from broadcast.tts.engine import Piece
from broadcast.tts.espeak_engine import EspeakEngine

SAMPLE_RATE = 48000
TONE_HZ = 1000.0
TONE_SECONDS = 1.0
TONE_DBFS = -20.0
EDGE_SECONDS = 0.01  # fades at both ends: no click
GAP_SECONDS = 0.4
# A 1 kHz sine at -20 dBFS measures about -23 LUFS; the name is spoken as loud.
SPEECH_LUFS = -23.0
SPEECH_PEAK_DBTP = -1.0


def sine_tone(
    frequency: float = TONE_HZ,
    seconds: float = TONE_SECONDS,
    level_dbfs: float = TONE_DBFS,
    sample_rate: int = SAMPLE_RATE,
) -> np.ndarray:
    """A float32 sine with short linear fades."""
    t = np.arange(round(seconds * sample_rate)) / sample_rate
    tone = db_to_gain(level_dbfs) * np.sin(2 * np.pi * frequency * t)
    edge = min(round(EDGE_SECONDS * sample_rate), len(tone) // 2)
    ramp = np.linspace(0.0, 1.0, edge, endpoint=False)
    tone[:edge] *= ramp
    tone[len(tone) - edge :] *= ramp[::-1]
    return tone.astype(np.float32)


def spoken_name(name: str, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The zone's name read by espeak-ng (offline, always there), as loud as the tone.

    Like every text, the name is normalized first: "Tổ dân phố số 1" is read "số một".
    """
    engine = EspeakEngine()
    speech = engine.synthesize([Piece(normalize_text(name))], engine.voice_for(None), 1.0)
    levelled = normalize(speech.samples, speech.sample_rate, SPEECH_LUFS, SPEECH_PEAK_DBTP)
    return soxr.resample(levelled.samples, speech.sample_rate, sample_rate).astype(np.float32)


def zone_test_audio(zone_name: str) -> np.ndarray:
    """Tone, a short gap, the spoken name: int16 mono at 48 kHz."""
    gap = np.zeros(round(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    audio = np.concatenate([sine_tone(), gap, spoken_name(zone_name)])
    return np.rint(np.clip(audio, -1.0, 1.0) * INT16_MAX).astype(np.int16)


def play_zone_test(sink: AudioSink, zone: ZoneSpeakers, zone_name: str) -> PlayResult:
    """Play the test on this zone only and wait until it is over."""
    return sink.start(zone_test_audio(zone_name), SAMPLE_RATE, [zone], label="test").wait()
