"""Playback tests play through a virtual ALSA sound card and read back what it captured.

The card is installed when this file is imported, before any test module imports
sounddevice (PortAudio lists devices only once, at import).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # so test modules can import the harness

import alsa_harness

if sys.platform.startswith("linux"):
    CARD = alsa_harness.install(Path(tempfile.mkdtemp(prefix="loa-phuong-alsa-")))
else:
    collect_ignore_glob = ["test_*.py"]  # the virtual sound card is made of ALSA plugins


@pytest.fixture
def card() -> alsa_harness.VirtualCard:
    return CARD


@pytest.fixture
def captures(tmp_path, monkeypatch) -> dict[str, Path]:
    """A fresh capture file per virtual device for this test."""
    paths = {}
    for device, variable in alsa_harness.CAPTURE_VARIABLES.items():
        paths[device] = tmp_path / f"{device}.raw"
        monkeypatch.setenv(variable, str(paths[device]))
    return paths


@pytest.fixture
def realtime_card(card) -> alsa_harness.VirtualCard:
    if not card.realtime_ready:
        pytest.fail(
            "PulseAudio is needed for real-time playback tests: "
            f"apt-get install {alsa_harness.PULSE_PACKAGES} (deploy/system-deps.sh does it)"
        )
    return card


@pytest.fixture
def child_env() -> dict[str, str]:
    """Environment for a ``broadcast`` subprocess: same virtual card, same captures."""
    return dict(os.environ)
