"""Issue 14, announcements: one zone, one thing at a time, and no accepted bulletin lost.

The real daemon with a WAV file sink that plays at the real rate, real sockets and the real
play log; the stop by SIGTERM runs ``broadcast run`` as a process, as systemd does.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest

from broadcast.control import ANNOUNCE, ControlClient, ControlError
from broadcast.control.announce import MAX_ANNOUNCE_CHARACTERS
from broadcast.paths import ProjectPaths
from broadcast.playlog import Attempt, Outcome, Reason
from broadcast.sinks.file import FileSink
from tests.daemon.daemon_project import (
    idle_ward,
    make_project,
    rows,
    start_to_files,
    wait_for,
    ward_now,
    zone_yaml,
)

pytestmark = pytest.mark.slow  # bulletins play at the real rate

ZONES = [zone_yaml("to-1", "file", [1]), zone_yaml("to-2", "file", [1])]
LONG = "Thông báo lịch tiếp công dân của Ủy ban nhân dân phường trong tuần tới. " * 2
SHORT = "Mời bà con dự họp tổ dân phố."
EMERGENCY = "Khẩn cấp: nước lên nhanh, bà con di chuyển lên chỗ cao."
TECHNICIAN = "ky-thuat-vien"


def _send(paths: ProjectPaths, text: str, zones: list[str], priority: str = "priority") -> str:
    answer = ControlClient.from_paths(paths).call(
        ANNOUNCE, text=text, zones=zones, priority=priority, sender=TECHNICIAN
    )
    return answer["id"]


def _of(found: list[Attempt], bulletin_id: str) -> list[Attempt]:
    return [row for row in found if row.airing.bulletin_id == bulletin_id]


def _one_on_air_one_waiting(paths: ProjectPaths) -> tuple[str, str]:
    """A long bulletin on to-1, and a short one sent while it airs: the ids of both."""
    first = _send(paths, LONG, ["to-1"])
    wait_for(paths, lambda r: any(row.is_open for row in r), 30)
    return first, _send(paths, SHORT, ["to-1"])


def _closed(count: int):
    return lambda found: len(found) >= count and not any(row.is_open for row in found)


def test_a_bulletin_waiting_for_another_bulletin_airs_as_soon_as_its_zone_is_free(tmp_path):
    """It waited for a program item that never came: on an idle zone it never aired."""
    paths = idle_ward(tmp_path)
    daemon = start_to_files(paths, console_log=None)
    try:
        first, second = _one_on_air_one_waiting(paths)
        found = wait_for(paths, _closed(2), 60)
    finally:
        daemon.stop()
    (a,), (b,) = _of(found, first), _of(found, second)
    assert a.outcome is Outcome.PLAYED and b.outcome is Outcome.PLAYED
    assert b.started_at >= a.ended_at  # one after the other, never over each other


def test_a_bulletin_kept_off_the_air_by_a_stop_is_logged_then_aired_after_a_restart(tmp_path):
    paths = idle_ward(tmp_path)
    daemon = start_to_files(paths, console_log=None)
    try:
        first, second = _one_on_air_one_waiting(paths)
        time.sleep(1.0)
    finally:
        daemon.stop()
    found = rows(paths)
    (cut,), (waiting,) = _of(found, first), _of(found, second)
    assert (cut.outcome, cut.reason) == (Outcome.PARTIAL, Reason.STOPPED)
    assert (waiting.outcome, waiting.reason) == (Outcome.MISSED, Reason.STOPPED)  # not lost
    daemon = start_to_files(paths, console_log=None)
    try:
        found = wait_for(
            paths,
            lambda r: (
                sum(row.outcome is Outcome.PLAYED for row in r) == 2
                and not any(row.is_open for row in r)
            ),
            60,
        )
    finally:
        daemon.stop()
    for bulletin_id, before in ((first, cut), (second, waiting)):
        aired = [row for row in _of(found, bulletin_id) if row.outcome is Outcome.PLAYED]
        assert len(aired) == 1  # once, as the same broadcast: same id, same moment
        assert aired[0].airing.scheduled_at == before.airing.scheduled_at


def test_two_emergencies_on_one_zone_air_one_after_the_other_in_order(tmp_path):
    paths = idle_ward(tmp_path)
    daemon = start_to_files(paths, console_log=None)
    try:
        first = _send(paths, EMERGENCY, ["to-1"], "emergency")
        second = _send(paths, EMERGENCY + " Lần hai.", ["to-1", "to-2"], "emergency")
        found = wait_for(paths, _closed(3), 60)
    finally:
        daemon.stop()
    (a,) = _of(found, first)
    b = {row.airing.zone: row for row in _of(found, second)}
    assert a.outcome is b["to-1"].outcome is b["to-2"].outcome is Outcome.PLAYED
    assert b["to-1"].started_at >= a.ended_at  # not over each other on to-1


def test_an_emergency_cuts_a_priority_bulletin_which_then_takes_up_where_it_was(tmp_path):
    """It was cut for good (``partial``/``stopped``)."""
    paths = idle_ward(tmp_path)
    daemon = start_to_files(paths, console_log=None)
    try:
        bulletin = _send(paths, LONG, ["to-1"])
        wait_for(paths, lambda r: any(row.is_open for row in r), 30)
        time.sleep(3.0)
        emergency = _send(paths, EMERGENCY, ["to-1"], "emergency")
        found = wait_for(paths, _closed(3), 90)
    finally:
        daemon.stop()
    cut, rest = _of(found, bulletin)
    (urgent,) = _of(found, emergency)
    assert (cut.outcome, cut.reason) == (Outcome.PREEMPTED, Reason.preempted_by(emergency))
    assert urgent.started_at >= cut.ended_at and rest.started_at >= urgent.ended_at
    assert rest.outcome is Outcome.RESUMED
    assert 0 < rest.airing.resumed_from_seconds < cut.aired_seconds


def test_two_programs_due_at_once_on_the_same_zones_play_one_after_the_other(tmp_path):
    """After a late start within the grace period both played at once, both ``played``."""
    now = ward_now()
    paths = make_project(
        tmp_path,
        ZONES,
        {"tin.txt": SHORT},
        slots={"som": now - timedelta(minutes=3), "muon": now - timedelta(minutes=1)},
    )
    # Slots of a minute, two minutes apart: they never overlap as planned, only after a start
    # that comes late for both (inside the grace period).
    timetable = paths.schedules_file.read_text(encoding="utf-8")
    paths.schedules_file.write_text(
        timetable.replace("max_minutes: 10", "max_minutes: 1"), encoding="utf-8"
    )
    daemon = start_to_files(paths, console_log=None)
    try:
        found = wait_for(paths, _closed(4), 60)
    finally:
        daemon.stop()
    by_slot: dict[str, list[Attempt]] = {}
    for row in found:
        by_slot.setdefault(row.airing.slot_id, []).append(row)
    assert all(row.outcome is Outcome.PLAYED for row in found)
    assert min(r.started_at for r in by_slot["muon"]) >= max(r.ended_at for r in by_slot["som"])


def test_an_announcement_file_is_held_to_the_same_length_as_typed_text(tmp_path):
    """A 70 KB .txt file skipped the 5,000-character limit (the daemon grew to 4.9 GB)."""
    paths = idle_ward(tmp_path)
    long_file = tmp_path / "thong-bao-dai.txt"
    long_file.write_text("Thông báo\n\n" + "Bà con chú ý. " * 5_000, encoding="utf-8")
    daemon = start_to_files(paths, console_log=None)
    try:
        with pytest.raises(ControlError) as refused:
            ControlClient.from_paths(paths).call(
                ANNOUNCE, file=str(long_file), zones=["to-1"], priority="priority"
            )
        time.sleep(0.5)
    finally:
        daemon.stop()
    assert "tối đa 5000 ký tự" in str(refused.value)
    assert str(long_file) in str(refused.value)
    assert rows(paths) == []


def test_sigterm_with_a_bulletin_waiting_stops_within_10_s_and_logs_it(tmp_path):
    """It started the waiting bulletin and ignored further signals (needed SIGKILL)."""
    paths = idle_ward(tmp_path)
    station = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "broadcast",
            "--home",
            str(paths.home),
            "run",
            "--offline",
            "--sink",
            f"file:{paths.home / 'heard'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(paths, lambda r: True, 60)  # the log exists: the daemon is up
        deadline = time.monotonic() + 60
        while not (paths.data_dir / "control.json").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        first, second = _one_on_air_one_waiting(paths)
        asked = time.monotonic()
        station.send_signal(signal.SIGTERM)
        station.wait(timeout=30)
        stopped_after = time.monotonic() - asked
    finally:
        if station.poll() is None:
            station.kill()
    assert station.returncode == 0 and stopped_after < 10
    found = rows(paths)
    assert [row.outcome for row in _of(found, first)] == [Outcome.PARTIAL]
    (waiting,) = _of(found, second)
    assert (waiting.outcome, waiting.reason) == (Outcome.MISSED, Reason.STOPPED)


def test_an_item_that_cannot_start_is_logged_and_the_rest_of_the_program_airs(
    tmp_path, monkeypatch
):
    """Issue 14, item 13: one item whose play raised (a file name too long for the disk)
    aborted the whole slot, with no rows and no alarm."""
    paths = make_project(
        tmp_path,
        ZONES,
        {"a-truoc.txt": SHORT, "b-hong.txt": SHORT + " Bài hỏng.", "c-sau.txt": SHORT},
    )
    real_start = FileSink.start

    def start(self, audio, sample_rate, zones, label="", at=None):
        if label == "b-hong":
            raise OSError(36, "File name too long")
        return real_start(self, audio, sample_rate, zones, label, at)

    monkeypatch.setattr(FileSink, "start", start)
    daemon = start_to_files(paths, console_log=None)
    try:
        found = wait_for(paths, _closed(6), 60)
        alarms = {alarm.code for alarm in daemon.status().alarms}
    finally:
        daemon.stop()
    outcomes = {(row.airing.script_id, row.airing.zone): row for row in found}
    for zone in ("to-1", "to-2"):
        assert outcomes[("a-truoc", zone)].outcome is Outcome.PLAYED
        failed = outcomes[("b-hong", zone)]
        assert (failed.outcome, failed.reason) == (Outcome.FAILED, Reason.DEVICE_ERROR)
        assert "File name too long" in failed.error
        assert outcomes[("c-sau", zone)].outcome is Outcome.PLAYED  # the rest aired
    assert "device_error" in alarms


def test_an_emergency_is_accepted_while_a_long_bulletin_is_still_being_made(tmp_path):
    """Issue 14, item 4: making a bulletin into speech never holds up another bulletin."""
    paths = idle_ward(tmp_path)
    longest = ("Bà con chú ý, Ủy ban nhân dân phường thông báo lịch tiếp công dân. " * 80)[
        :MAX_ANNOUNCE_CHARACTERS
    ]
    answered: dict[str, float] = {}
    daemon = start_to_files(paths, console_log=None)
    try:

        def send_the_long_one() -> None:
            _send(paths, longest, ["to-2"])
            answered["long"] = time.monotonic()

        sending = threading.Thread(target=send_the_long_one)
        sending.start()
        time.sleep(0.3)  # the long one is being made into speech
        emergency = _send(paths, EMERGENCY, ["to-1"], "emergency")
        answered["emergency"] = time.monotonic()
        sending.join(60)
        found = wait_for(paths, lambda r: any(row.airing.bulletin_id == emergency for row in r), 30)
    finally:
        daemon.stop()
    assert answered["emergency"] < answered["long"]  # not queued behind it
    assert any(row.airing.bulletin_id == emergency for row in found)


def test_an_announce_retried_after_a_restart_is_not_aired_twice(tmp_path):
    """Issue 14, item 11: the client's request id is kept in the log, not only in memory."""
    paths = idle_ward(tmp_path)
    client_request = "yeu-cau-7f3a"  # the id the client chose, kept across its retries
    daemon = start_to_files(paths, console_log=None)
    try:
        first = ControlClient.from_paths(paths).call(
            ANNOUNCE, text=SHORT, zones=["to-1"], priority="priority", request_id=client_request
        )
        wait_for(paths, _closed(1), 30)
    finally:
        daemon.stop()
    daemon = start_to_files(paths, console_log=None)  # the answer was lost; the client retries
    try:
        again = ControlClient.from_paths(paths).call(
            ANNOUNCE, text=SHORT, zones=["to-1"], priority="priority", request_id=client_request
        )
        time.sleep(1.0)
        found = rows(paths)
    finally:
        daemon.stop()
    assert again == first
    assert [row.outcome for row in found] == [Outcome.PLAYED]  # aired once


def test_a_bulletin_reaching_beyond_a_program_airs_when_the_program_ends(tmp_path):
    """Waiting for all its zones, it was forgotten when the program's turn ended last."""
    paths = make_project(tmp_path, ZONES, {"tin.txt": LONG}, slot_zones="to-1")
    daemon = start_to_files(paths, console_log=None)
    try:
        wait_for(paths, lambda r: any(row.is_open for row in r), 60)
        bulletin = _send(paths, SHORT, ["to-1", "to-2"])
        found = wait_for(paths, lambda r: len(_of(r, bulletin)) == 2 and _closed(3)(r), 60)
    finally:
        daemon.stop()
    (program,) = [row for row in found if row.airing.bulletin_id is None]
    aired = _of(found, bulletin)
    assert [row.outcome for row in aired] == [Outcome.PLAYED, Outcome.PLAYED]
    assert min(row.started_at for row in aired) >= program.ended_at
