"""Audio-stage tests: real espeak-ng, real ffmpeg, real files; loudness measured here again."""

from __future__ import annotations

import pytest

from broadcast.config.tts import TtsSettings
from broadcast.paths import ProjectPaths


@pytest.fixture
def paths(tmp_path) -> ProjectPaths:
    return ProjectPaths(tmp_path)


@pytest.fixture
def settings() -> TtsSettings:
    return TtsSettings(engines=("espeak",))
