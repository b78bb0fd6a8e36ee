"""piper: offline neural voices from a local ``.onnx`` file (optional: ``pip install .[piper]``).

Runs in-process; the voice is loaded on first use and kept for the rest of the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from broadcast.tts.engine import EngineFacts, Speech, SpokenPiece, SynthesisError, joined_text
from broadcast.tts.turns import TurnLock


@dataclass(frozen=True)
class PiperSettings:
    voice_path: Path | None = None  # a local .onnx voice, its .onnx.json next to it
    speed: float = 1.0


class PiperEngine:
    name = "piper"

    def __init__(self, settings: PiperSettings):
        self.voice_path = settings.voice_path
        self.speed = settings.speed
        self._voice = None
        self._lock = TurnLock()  # one inference at a time per voice, in the order asked

    def voice_for(self, requested: str | None) -> str:
        return self.voice_path.stem if self.voice_path else "piper"

    def _loaded(self):  # -> piper.PiperVoice, imported lazily: piper is an optional extra
        if self.voice_path is None:
            raise SynthesisError("chưa ghi tệp giọng piper (tts.piper.voice_path)")
        if self._voice is None:
            try:
                from piper import PiperVoice
            except ImportError as exc:
                raise SynthesisError("chưa cài piper: pip install 'loa-phuong[piper]'") from exc
            try:
                self._voice = PiperVoice.load(self.voice_path)
            except (OSError, ValueError, RuntimeError) as exc:
                raise SynthesisError(
                    f"không mở được giọng piper {self.voice_path.name}: {exc}"
                ) from exc
        return self._voice

    def synthesize(self, pieces: Sequence[SpokenPiece], voice: str, speed: float) -> Speech:
        text = joined_text(pieces)
        if not text:
            raise SynthesisError("không có chữ nào để đọc")
        with self._lock:
            loaded = self._loaded()
            from piper import SynthesisConfig  # importable once _loaded() succeeded

            config = SynthesisConfig(length_scale=1.0 / (self.speed * speed))
            chunks = list(loaded.synthesize(text, syn_config=config))
        if not chunks:
            raise SynthesisError("piper không tạo được âm thanh")
        samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        return Speech(samples, chunks[0].sample_rate)


# The voice is a file, not a name from a list: no ``voices`` to choose from.
FACTS = EngineFacts(
    name="piper", online=False, voices=(), settings=PiperSettings, build=PiperEngine
)
