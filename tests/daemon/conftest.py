"""These tests play through the virtual sound card (``tests/support/virtual_card.py``)."""

import logging
import sys
from collections.abc import Iterator

import pytest

from tests.support.card_fixtures import *  # noqa: F403 - the card's fixtures, installed first

if not sys.platform.startswith("linux"):
    collect_ignore_glob = ["test_*.py"]  # the virtual sound card is made of ALSA plugins


@pytest.fixture
def daemon_log() -> Iterator[None]:
    """The daemon writes its own log file (no console), as under systemd; detached after."""
    yield
    root = logging.getLogger("broadcast")
    for handler in list(root.handlers):
        if getattr(handler, "_broadcast_daemon", False):
            root.removeHandler(handler)
            handler.close()
