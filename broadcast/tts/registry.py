"""Every speech engine the station knows, in the order the configuration's messages list them.

Each engine module declares its own ``EngineFacts`` (name, voices, online or not, settings
with their defaults, how to build it); ``broadcast.config`` reads them from here and the chain
builds engines through here, so no engine is described twice. Importing this starts no engine
and loads neither gTTS nor piper.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from broadcast.tts import espeak_engine, gtts_engine, piper_engine
from broadcast.tts.engine import EngineFacts, SpeechEngine

ENGINES: Mapping[str, EngineFacts[Any]] = {
    facts.name: facts for facts in (gtts_engine.FACTS, espeak_engine.FACTS, piper_engine.FACTS)
}
ENGINE_NAMES = tuple(ENGINES)
ONLINE_ENGINES = tuple(name for name, facts in ENGINES.items() if facts.online)


def build_engine(name: str, settings: object) -> SpeechEngine:
    """Engine ``name`` built from its settings (an instance of its ``EngineFacts.settings``)."""
    facts = ENGINES.get(name)
    if facts is None:
        raise ValueError(f"unknown engine {name!r}")
    if not isinstance(settings, facts.settings):
        raise TypeError(f"{name} is built from {facts.settings.__name__}, not {settings!r}")
    return facts.build(settings)
