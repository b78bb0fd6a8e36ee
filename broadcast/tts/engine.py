"""The speech-engine boundary: already-normalized Vietnamese words in, PCM out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import numpy as np

Settings = TypeVar("Settings")


class SpokenPiece(Protocol):
    """What engines read; ``broadcast.textnorm.SpokenSegment`` has this shape."""

    @property
    def text(self) -> str: ...

    @property
    def keep_together(self) -> bool:
        """The words of one number, date or code: never split between phrases."""
        ...


@dataclass(frozen=True)
class Piece:
    """A plain ``SpokenPiece`` for text that needs no normalizer (fixed phrases, tests)."""

    text: str
    keep_together: bool = False


@dataclass(frozen=True)
class Speech:
    """Mono PCM as float32 in [-1, 1] (engines may overshoot a little; the limiter handles it)."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration_seconds(self) -> float:
        return len(self.samples) / self.sample_rate


class SynthesisError(Exception):
    """The engine produced no usable audio; the message (Vietnamese) says why."""


class SpeechEngine(Protocol):
    name: str  # key in ``tts.engines``: "espeak", "gtts", "piper"
    speed: float  # the configured pace; a script's own speed multiplies it

    def voice_for(self, requested: str | None) -> str:
        """The voice this engine will use when a script asks for ``requested`` (or nothing)."""
        ...

    def synthesize(self, pieces: Sequence[SpokenPiece], voice: str, speed: float) -> Speech:
        """Speak ``pieces`` in order; ``speed`` 1.0 is the engine's normal pace.

        Raises ``SynthesisError`` when no audio can be produced.
        """
        ...


@dataclass(frozen=True)
class EngineFacts(Generic[Settings]):
    """What the rest of the program knows of an engine without starting it; each engine module
    declares its own, ``broadcast.tts.registry`` lists them."""

    name: str  # key in ``tts.engines``, and its settings are ``tts.<name>``
    online: bool  # needs the network: left out when the station is known to be offline
    voices: tuple[str, ...]  # what ``tts.<name>.voice`` may name; () when it names no voice
    settings: type[Settings]  # a dataclass, every field with its default
    build: Callable[[Settings], SpeechEngine]  # heavy libraries load on first use, not here


def joined_text(pieces: Sequence[SpokenPiece]) -> str:
    return "".join(piece.text for piece in pieces).strip()
