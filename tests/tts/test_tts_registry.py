"""The engine registry: one description per engine, read by the configuration and the chain."""

from __future__ import annotations

import subprocess
import sys

import pytest

from broadcast.config.tts import TtsSettings
from broadcast.tts.chain import build_chain
from broadcast.tts.espeak_engine import EspeakSettings
from broadcast.tts.gtts_engine import GttsSettings
from broadcast.tts.registry import ENGINES, ONLINE_ENGINES, build_engine


def test_every_engine_is_built_from_its_default_settings():
    for name, facts in ENGINES.items():
        engine = build_engine(name, facts.settings())
        assert engine.name == name
    assert ONLINE_ENGINES == ("gtts",)


def test_the_chain_follows_the_configured_order_with_each_engines_settings():
    settings = TtsSettings(engines=("espeak", "gtts"), espeak=EspeakSettings("vi-vn-x-south"))
    chain = build_chain(settings)
    assert [engine.name for engine in chain.engines] == ["espeak", "gtts"]
    assert chain.engines[0].voice_for(None) == "vi-vn-x-south"


def test_an_engine_given_another_engines_settings_is_refused():
    with pytest.raises(TypeError, match="EspeakSettings"):
        build_engine("espeak", GttsSettings())
    with pytest.raises(ValueError, match="festival"):
        build_engine("festival", EspeakSettings())


def test_building_a_chain_with_gtts_loads_no_network_library_before_a_request():
    # A fresh interpreter: this test process has long imported requests through other tests.
    code = (
        "import sys\n"
        "from broadcast.config.tts import TtsSettings\n"
        "from broadcast.tts.chain import build_chain\n"
        "build_chain(TtsSettings())\n"
        "loaded = {'gtts', 'requests', 'ssl'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
