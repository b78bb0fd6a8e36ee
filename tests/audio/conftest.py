"""Audio-stage tests: real espeak-ng, real ffmpeg, real files; loudness measured here again."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # so test modules can import audio_helpers

from broadcast.config.tts import TtsSettings
from broadcast.paths import ProjectPaths


@pytest.fixture
def paths(tmp_path) -> ProjectPaths:
    return ProjectPaths(tmp_path)


@pytest.fixture
def settings() -> TtsSettings:
    return TtsSettings(engines=("espeak",))
