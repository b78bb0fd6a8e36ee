"""A timetable is read, judged and planned off the daemon's lock: while a reload works, the
control channel answers and the old plan stays in force until the new one is ready.

A 10,000-slot ``schedules.yaml`` once held the lock for 64–74 s, and an ``announce`` sent
meanwhile got no answer. Here each stage of a reload is held at a gate, so the test catches
the reload in the middle however fast this machine reads; how long a large timetable really
takes is measured by ``bench/timetable.py``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from broadcast.control import ControlClient
from broadcast.daemon import airings, inputs
from tests.reliability.catalogue_model import edit
from tests.reliability.reliability_ward import WARD, make_ward, running_daemon

ANSWER_SECONDS = 2.0  # a status takes milliseconds; under the lock it waited for the reload

AFTERNOON_SLOT = """\
  - id: chieu
    times: ["{time}"]
    program: sang
    zones: [to-1]
    max_minutes: 10
tts:
"""


class Gate:
    """Holds the first call made after ``close()`` until ``open()``."""

    def __init__(self, function: Callable[..., Any]):
        self._function = function
        self._open = threading.Event()
        self._open.set()
        self._armed = False
        self._arming = threading.Lock()
        self.reached = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._arming:
            hold, self._armed = self._armed, False
        if hold:
            self.reached.set()
            self._open.wait(30)
        return self._function(*args, **kwargs)

    def close(self) -> None:
        self._open.clear()
        self._armed = True

    def open(self) -> None:
        self._open.set()


def planned_slots(client: ControlClient) -> set[str]:
    """The slots of the plan in force, from a ``status`` that must answer at once."""
    began = time.monotonic()
    status = client.call("status")
    assert time.monotonic() - began < ANSWER_SECONDS
    return {entry["slot"] for entries in status["next"].values() for entry in entries}


def test_status_answers_and_the_old_plan_airs_while_a_reload_reads_and_plans(tmp_path, monkeypatch):
    reading, planning = Gate(inputs.parse_config), Gate(airings.plan_days)
    monkeypatch.setattr(inputs, "parse_config", reading)
    monkeypatch.setattr(airings, "plan_days", planning)
    paths = make_ward(tmp_path / "ward")
    with running_daemon(paths) as daemon:
        client = ControlClient.from_paths(paths, timeout=2 * ANSWER_SECONDS)
        assert planned_slots(client) == {"sang"}
        reading.close()
        planning.close()
        afternoon = f"{datetime.now(WARD) + timedelta(hours=3):%H:%M}"
        edit(paths, "schedules.yaml", "tts:\n", AFTERNOON_SLOT.format(time=afternoon))
        answers: list[dict[str, object]] = []
        reload = threading.Thread(target=lambda: answers.append(daemon.reload()), daemon=True)
        reload.start()
        try:
            assert reading.reached.wait(10), "the reload never read schedules.yaml"
            assert planned_slots(client) == {"sang"}  # answered while the file is judged
            reading.open()
            assert planning.reached.wait(10), "the reload never planned"
            assert planned_slots(client) == {"sang"}  # and while the new plan is made
        finally:
            reading.open()
            planning.open()
            reload.join(30)
        assert answers == [{"ok": True, "problems": []}]
        assert planned_slots(client) == {"sang", "chieu"}
