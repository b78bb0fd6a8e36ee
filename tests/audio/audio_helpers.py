"""Helpers for the audio tests: a counting engine, scripts, independent measurements."""

from __future__ import annotations

import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyloudnorm
from scipy.signal import resample_poly

from broadcast.scripts.model import Script, ScriptKind
from broadcast.tts.engine import Piece, Speech, SpokenPiece, SynthesisError
from broadcast.tts.espeak_engine import EspeakEngine

BODY = (
    "Ủy ban nhân dân phường thông báo lịch tiếp công dân. Bộ phận một cửa làm việc cả "
    "sáng thứ bảy.\n\nNgười dân có thể nộp hồ sơ trực tuyến tại nhà. Xin cảm ơn bà con."
)


def spoken(text: str) -> list[SpokenPiece]:
    """Stand-in for the normalizer: the test texts are already spoken words."""
    return [Piece(text)]


class CountingEngine:
    """Real espeak-ng under another name, counting calls; can be switched off or made to fail
    on a given call, like a network engine going down mid-script."""

    def __init__(self, name: str = "espeak", fail_on_call: int | None = None):
        self.inner = EspeakEngine()
        self.name = name
        self.speed = 1.0
        self.calls = 0
        self.down = False
        self.fail_on_call = fail_on_call

    def voice_for(self, requested: str | None) -> str:
        return self.inner.voice_for(requested)

    def synthesize(self, pieces: Sequence[SpokenPiece], voice: str, speed: float) -> Speech:
        self.calls += 1
        if self.down or self.calls == self.fail_on_call:
            raise SynthesisError("máy chủ không trả lời")
        return self.inner.synthesize(pieces, voice, speed)


def make_script(script_id: str = "thong-bao", body: str = BODY, **fields) -> Script:
    return Script(
        id=script_id,
        source=f"scripts_vi/{script_id}.txt",
        kind=fields.pop("kind", ScriptKind.TEXT),
        title=fields.pop("title", "Thông báo của phường"),
        body=body,
        content_hash="not-used-by-rendering",
        **fields,
    )


def read_file(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as reader:
        assert (reader.getnchannels(), reader.getsampwidth()) == (1, 2)
        rate = reader.getframerate()
        samples = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")
    return samples.astype(np.float64) / 32768.0, rate


def measured_lufs(samples: np.ndarray, rate: int) -> float:
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def measured_true_peak_db(samples: np.ndarray) -> float:
    """4x oversampling with scipy's own default filter (not the one the code uses)."""
    return float(20 * np.log10(np.abs(resample_poly(samples, 4, 1)).max()))
