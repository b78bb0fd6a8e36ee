"""Speech engines: normalized Vietnamese words in, PCM out (espeak-ng, gTTS, piper).

Each engine follows ``SpeechEngine`` and declares its ``EngineFacts``, which
``broadcast.tts.registry`` lists; ``build_chain`` puts engines in the configured order.
"""

from broadcast.tts.chain import EngineChain, build_chain
from broadcast.tts.engine import (
    EngineFacts,
    Piece,
    Speech,
    SpeechEngine,
    SpokenPiece,
    SynthesisError,
)
from broadcast.tts.registry import build_engine

__all__ = [
    "EngineChain",
    "EngineFacts",
    "Piece",
    "Speech",
    "SpeechEngine",
    "SpokenPiece",
    "SynthesisError",
    "build_chain",
    "build_engine",
]
