"""Engines in the configured order, with fallback bookkeeping for one render run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from broadcast.tts.engine import SpeechEngine
from broadcast.tts.registry import build_engine

# After this many failures in a row an engine rests for the rest of the run: with the network
# down, trying gTTS again for each of a thousand scripts would only add timeouts.
REST_AFTER_FAILURES = 3


class ChainSettings(Protocol):
    """What a chain is built from; ``broadcast.config.tts.TtsSettings`` has this shape."""

    @property
    def engines(self) -> tuple[str, ...]:
        """Engine names, preferred first."""
        ...

    def engine_settings(self, name: str) -> object:
        """The settings engine ``name`` is built from."""
        ...


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


def build_chain(settings: ChainSettings) -> EngineChain:
    return EngineChain(
        [build_engine(name, settings.engine_settings(name)) for name in settings.engines]
    )
