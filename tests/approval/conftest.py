"""``preview``'s listen plays through the virtual sound card (``tests/support/virtual_card.py``):
the computer's default output is its PulseAudio server's loudspeaker."""

import sys

from tests.support.card_fixtures import *  # noqa: F403 - the card's fixtures, installed first

if not sys.platform.startswith("linux"):
    collect_ignore_glob = ["test_preview_listen.py"]  # the card is made of ALSA plugins
