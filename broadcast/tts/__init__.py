"""Speech engines: normalized Vietnamese words in, PCM out (espeak-ng, gTTS, piper).

Each engine follows ``SpeechEngine``; ``build_chain`` puts them in the configured order.
"""

from broadcast.tts.chain import EngineChain, build_chain, build_engine
from broadcast.tts.engine import Piece, Speech, SpeechEngine, SpokenPiece, SynthesisError

__all__ = [
    "EngineChain",
    "Piece",
    "Speech",
    "SpeechEngine",
    "SpokenPiece",
    "SynthesisError",
    "build_chain",
    "build_engine",
]
