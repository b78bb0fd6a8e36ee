"""Issue 13, defect 5: a broken ``schedules.yaml`` plus a restart must not silence the ward.

The last valid timetable is kept on disk; a start with a broken file runs on it and raises the
alarm, naming the file and line of the break.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from broadcast.daemon.alarms import AlarmCode
from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.daemon.inputs import last_good_file
from broadcast.diagnostics import InputError
from broadcast.playlog import Outcome
from broadcast.sinks.file import FileSink
from tests.daemon.daemon_project import make_project, wait_for, ward_now, zone_yaml

SCRIPT = "Thông báo lịch tiếp công dân.\n"


def _daemon(paths) -> BroadcastDaemon:
    return BroadcastDaemon(
        paths,
        FileSink(paths.home / "heard", realtime=False),
        options=DaemonOptions(console_log=None, watch_interval=0.2),
    )


def test_a_start_with_a_broken_timetable_runs_on_the_last_good_one_and_raises_the_alarm(
    tmp_path,
):
    later = ward_now() + timedelta(hours=6)
    paths = make_project(
        tmp_path, [zone_yaml("pho-1", "file", [1])], {"a.txt": SCRIPT}, slots={"sau": later}
    )
    daemon = _daemon(paths)  # a good start keeps a copy of the timetable
    daemon.start()
    daemon.stop()
    assert last_good_file(paths).exists()
    # The board breaks the file, then the power goes and the PC restarts: now with a slot due.
    text = paths.schedules_file.read_text(encoding="utf-8")
    paths.schedules_file.write_text(text.replace("zones:", "zones", 1), encoding="utf-8")
    last_good = last_good_file(paths).read_text(encoding="utf-8")
    last_good_file(paths).write_text(
        last_good.replace(f'"{later:%H:%M}"', f'"{ward_now():%H:%M}"'), encoding="utf-8"
    )
    daemon = _daemon(paths)
    daemon.start()
    try:
        (row,) = wait_for(paths, lambda r: len(r) == 1 and not r[0].is_open)
        alarms = daemon.status().alarms
    finally:
        daemon.stop()
    assert row.outcome is Outcome.PLAYED  # the ward is not silent
    (alarm,) = [a for a in alarms if a.code is AlarmCode.INPUT_INVALID]
    assert "schedules.yaml:" in alarm.message


def test_without_any_good_timetable_the_start_is_refused_with_file_and_line(tmp_path):
    paths = make_project(tmp_path, [zone_yaml("pho-1", "file", [1])], {"a.txt": SCRIPT})
    text = paths.schedules_file.read_text(encoding="utf-8")
    paths.schedules_file.write_text(text.replace("zones:", "zones", 1), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        _daemon(paths)
    assert any(d.file == "schedules.yaml" and d.line for d in refused.value.diagnostics)
