"""Fixtures for tests that play through the virtual ALSA sound card and read back what it
captured; the ``conftest.py`` of each such folder star-imports them.

The card is installed when this module is first imported, before any test module imports
sounddevice (PortAudio lists devices only once, at import).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support import virtual_card

if sys.platform.startswith("linux"):
    CARD = virtual_card.install(Path(tempfile.mkdtemp(prefix="loa-phuong-alsa-")))
else:
    CARD = None  # the virtual sound card is made of ALSA plugins: Linux only


@pytest.fixture
def card() -> virtual_card.VirtualCard:
    return CARD


@pytest.fixture
def captures(tmp_path, monkeypatch) -> dict[str, Path]:
    """A fresh capture file per virtual device for this test."""
    paths = {}
    for device, variable in virtual_card.CAPTURE_VARIABLES.items():
        paths[device] = tmp_path / f"{device}.raw"
        monkeypatch.setenv(variable, str(paths[device]))
    return paths


@pytest.fixture
def realtime_card(card, request) -> virtual_card.VirtualCard:
    # The fast lane (`-m "not realtime"`) stays fast only if every such test says so.
    if request.node.get_closest_marker("realtime") is None:
        pytest.fail("a test on the real-time card needs @pytest.mark.realtime")
    if not card.realtime_ready:
        pytest.fail(
            "PulseAudio is needed for real-time playback tests: "
            f"apt-get install {virtual_card.PULSE_PACKAGES} (deploy/system-deps.sh does it)"
        )
    return card


@pytest.fixture
def child_env() -> dict[str, str]:
    """Environment for a ``broadcast`` subprocess: same virtual card, same captures."""
    return dict(os.environ)
