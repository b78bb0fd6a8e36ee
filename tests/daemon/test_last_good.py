"""Issue 13, defect 5: a broken ``schedules.yaml`` or script plus a restart must not silence
the ward.

The last valid timetable and a copy of each script that read valid are kept on disk; a start
with a broken file runs on them and raises the alarm, naming the file and line of the break. A
script deleted from ``scripts_vi/`` never comes back.
"""

from __future__ import annotations

import struct
import wave
from datetime import timedelta
from pathlib import Path

import pytest

from broadcast.daemon.alarms import AlarmCode
from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.daemon.inputs import last_good_file, read_inputs
from broadcast.diagnostics import InputError
from broadcast.playlog import Outcome
from broadcast.sinks.file import FileSink
from tests.daemon.daemon_project import make_project, wait_for, ward_now, zone_yaml

SCRIPT = "Thông báo lịch tiếp công dân.\n"
ZONES = [zone_yaml("pho-1", "file", [1])]
NOTICE = (
    "---\ntitle: Lịch tiếp công dân\ntopic: hanh-chinh\nvalid_until: 31/12/2030\n---\n"
    "Chủ tịch phường tiếp công dân sáng thứ Năm tại trụ sở.\n"
)
# The board edits the notice: a new title, and a date that does not exist on line 4.
BROKEN_NOTICE = NOTICE.replace("Lịch tiếp", "Đổi lịch tiếp").replace("31/12", "31/02")


def _daemon(paths) -> BroadcastDaemon:
    return BroadcastDaemon(
        paths,
        FileSink(paths.home / "heard", realtime=False),
        options=DaemonOptions(console_log=None, watch_interval=0.2),
    )


def _air_the_due_slot(paths):
    """Start the daemon, wait for its one play to end, stop it: the row and the alarms."""
    daemon = _daemon(paths)
    daemon.start()
    try:
        (row,) = wait_for(paths, lambda r: len(r) == 1 and not r[0].is_open)
        return row, daemon.status().alarms
    finally:
        daemon.stop()


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
    row, alarms = _air_the_due_slot(paths)
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


def _write(paths, name: str, text: str) -> None:
    (paths.scripts_dir / name).write_text(text, encoding="utf-8")


def test_a_script_broken_before_a_restart_airs_its_last_good_version_and_says_where(tmp_path):
    paths = make_project(tmp_path, ZONES, {"tin.md": NOTICE})
    good = read_inputs(paths).by_id["tin"]
    _write(paths, "tin.md", BROKEN_NOTICE)
    restarted = read_inputs(paths)  # no previous state: a new process after a power cut
    assert restarted.by_id["tin"] == good  # same id, source, words and dates
    assert [(p.file, p.line) for p in restarted.problems] == [("scripts_vi/tin.md", 4)]
    _write(paths, "tin.md", NOTICE.replace("thứ Năm", "thứ Sáu"))  # fixed while stopped
    fixed = read_inputs(paths).by_id["tin"]
    assert "thứ Sáu" in fixed.body
    _write(paths, "tin.md", BROKEN_NOTICE)  # broken again, and another restart
    assert read_inputs(paths).by_id["tin"] == fixed  # the copy followed the fix


def test_a_script_never_valid_is_not_aired_after_a_restart(tmp_path):
    paths = make_project(tmp_path, ZONES, {"a.txt": SCRIPT, "tin.md": BROKEN_NOTICE})
    for _ in range(2):  # the daemon's start, then a restart
        inputs = read_inputs(paths)
        assert list(inputs.by_id) == ["a"]
        assert [(p.file, p.line) for p in inputs.problems] == [("scripts_vi/tin.md", 4)]


def test_a_deleted_script_never_comes_back(tmp_path):
    paths = make_project(tmp_path, ZONES, {"a.txt": SCRIPT, "tin.md": NOTICE})
    running = read_inputs(paths)
    _write(paths, "tin.md", BROKEN_NOTICE)
    running = read_inputs(paths, running)
    assert "tin" in running.by_id  # broken: its good version still airs
    (paths.scripts_dir / "tin.md").unlink()  # the board withdraws it
    running = read_inputs(paths, running)
    assert "tin" not in running.by_id
    _write(paths, "tin.md", BROKEN_NOTICE)  # a broken file of the same name comes back later
    assert "tin" not in read_inputs(paths).by_id  # after a restart, too


def test_a_script_renamed_into_a_broken_file_is_aired_under_neither_name(tmp_path):
    paths = make_project(tmp_path, ZONES, {"tin.md": NOTICE})
    read_inputs(paths)
    (paths.scripts_dir / "tin.md").rename(paths.scripts_dir / "tin-moi.md")
    _write(paths, "tin-moi.md", BROKEN_NOTICE)
    restarted = read_inputs(paths)
    assert restarted.scripts == ()
    assert [p.file for p in restarted.problems] == ["scripts_vi/tin-moi.md"]


def _write_wav(path: Path, seconds: float, rate: int = 8000) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack("<h", 1000) * int(seconds * rate))


@pytest.mark.parametrize(
    ("broken", "where"),
    [
        ("phong-van.yaml", ("scripts_vi/phong-van.yaml", 2)),  # an edit of its details
        ("phong-van.wav", ("scripts_vi/phong-van.wav", None)),  # the audio replaced by text
    ],
)
def test_a_recording_broken_before_a_restart_airs_its_last_good_audio(tmp_path, broken, where):
    paths = make_project(tmp_path, ZONES, {"phong-van.yaml": "title: Phỏng vấn tổ trưởng\n"})
    _write_wav(paths.scripts_dir / "phong-van.wav", seconds=1.5)
    audio = (paths.scripts_dir / "phong-van.wav").read_bytes()
    good = read_inputs(paths).by_id["phong-van"]
    _write(paths, broken, "title: Phỏng vấn\npriority: rất gấp\n")
    kept = read_inputs(paths).by_id["phong-van"]
    assert (kept.source, kept.title, kept.content_hash) == (
        good.source,
        good.title,
        good.content_hash,
    )
    assert kept.recording_seconds == pytest.approx(1.5)
    assert kept.recording is not None and kept.recording.read_bytes() == audio
    assert [(p.file, p.line) for p in read_inputs(paths).problems] == [where]


def test_a_text_script_s_sidecar_broken_before_a_restart_keeps_its_zones_and_title(tmp_path):
    """Only a recording's sidecar was kept: a Notepad script held after a restart lost its
    sidecar's zones and went to every zone."""
    paths = make_project(
        tmp_path,
        [zone_yaml("pho-1", "file", [1]), zone_yaml("pho-2", "file", [1])],
        {"tin.txt": "Mời bà con dự họp.\n", "tin.yaml": "title: Họp tổ\nzones: [pho-2]\n"},
    )
    good = read_inputs(paths).by_id["tin"]
    assert (good.title, good.zones) == ("Họp tổ", ("pho-2",))
    _write(paths, "tin.yaml", "title: Họp tổ\nzones: [pho-2\n")  # a missing ]
    kept = read_inputs(paths).by_id["tin"]
    assert (kept.title, kept.zones, kept.content_hash) == (
        good.title,
        good.zones,
        good.content_hash,
    )


def test_a_start_with_a_broken_script_airs_its_last_good_version_and_raises_the_alarm(tmp_path):
    later = ward_now() + timedelta(hours=6)
    paths = make_project(tmp_path, ZONES, {"tin.md": NOTICE}, slots={"sau": later})
    daemon = _daemon(paths)  # a good start keeps a copy of the script
    daemon.start()
    daemon.stop()
    # The board breaks the script and moves the slot to now; then the PC restarts.
    _write(paths, "tin.md", BROKEN_NOTICE)
    text = paths.schedules_file.read_text(encoding="utf-8")
    paths.schedules_file.write_text(
        text.replace(f'"{later:%H:%M}"', f'"{ward_now():%H:%M}"'), encoding="utf-8"
    )
    row, alarms = _air_the_due_slot(paths)
    assert (row.outcome, row.airing.script_id, row.airing.title) == (
        Outcome.PLAYED,
        "tin",
        "Lịch tiếp công dân",  # the good version, not the broken edit's title
    )
    (alarm,) = [a for a in alarms if a.code is AlarmCode.INPUT_INVALID]
    assert "scripts_vi/tin.md:4" in alarm.message
