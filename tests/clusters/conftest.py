"""A real Mosquitto broker for each test that asks (``tests/support/mosquitto.py``).

Nothing is skipped: without mosquitto installed the fixture fails and says how to install it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.mosquitto import MosquittoBroker, MosquittoMissing, mosquitto_binary


@pytest.fixture
def mosquitto_broker(tmp_path: Path) -> Iterator[MosquittoBroker]:
    """A started broker on a free loopback port, with no account yet: add them with
    ``add_user(name, password, acl_lines)`` or ``install(passwd, acl)``; ``restart()``,
    ``stop()``, ``kill()``, ``reload()``; files in ``broker.root``."""
    try:
        mosquitto_binary()
    except MosquittoMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    broker = MosquittoBroker(tmp_path / "mosquitto")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
