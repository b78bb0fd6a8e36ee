"""Engines in the configured order, with fallback bookkeeping for one render run."""

from __future__ import annotations

from collections.abc import Sequence

from broadcast.config.tts import TtsSettings
from broadcast.tts.engine import SpeechEngine
from broadcast.tts.espeak_engine import EspeakEngine
from broadcast.tts.piper_engine import PiperEngine

# After this many failures in a row an engine rests for the rest of the run: with the network
# down, trying gTTS again for each of a thousand scripts would only add timeouts.
REST_AFTER_FAILURES = 3


class EngineChain:
    def __init__(self, engines: Sequence[SpeechEngine]):
        if not engines:
            raise ValueError("an engine chain needs at least one engine")
        self.engines = tuple(engines)
        self._failures_in_a_row = dict.fromkeys((e.name for e in self.engines), 0)

    def is_resting(self, engine: SpeechEngine) -> bool:
        return self._failures_in_a_row[engine.name] >= REST_AFTER_FAILURES

    def rest(self, names: Sequence[str]) -> None:
        """Skip these engines from the start (a later engine's audio is then a fallback)."""
        for name in names:
            if name in self._failures_in_a_row:
                self._failures_in_a_row[name] = REST_AFTER_FAILURES

    def record(self, engine: SpeechEngine, succeeded: bool) -> None:
        self._failures_in_a_row[engine.name] = (
            0 if succeeded else self._failures_in_a_row[engine.name] + 1
        )


def build_engine(name: str, settings: TtsSettings) -> SpeechEngine:
    if name == "espeak":
        return EspeakEngine(settings.espeak.voice, settings.espeak.speed)
    if name == "gtts":
        # On first use only: gTTS brings requests, urllib3 and ssl, which an offline daemon
        # would otherwise carry in memory for nothing.
        from broadcast.tts.gtts_engine import GttsEngine

        gtts = settings.gtts
        return GttsEngine(gtts.tld, gtts.timeout_seconds, gtts.retries)
    if name == "piper":
        return PiperEngine(settings.piper.voice_path, settings.piper.speed)
    raise ValueError(f"unknown engine {name!r}")


def build_chain(settings: TtsSettings) -> EngineChain:
    return EngineChain([build_engine(name, settings) for name in settings.engines])
