"""These tests play through the virtual sound card (``tests/support/virtual_card.py``)."""

import sys

from tests.support.card_fixtures import *  # noqa: F403 - the card's fixtures, installed first

if not sys.platform.startswith("linux"):
    collect_ignore_glob = ["test_*.py"]  # the virtual sound card is made of ALSA plugins
