"""Issue 18: the zone test while the daemon runs is played BY the daemon, through its own sink,
and refused while that zone or a bulletin is on air; with no daemon running the command plays
it itself, as before; a daemon that may hold the card but does not answer is never played over.

The real daemon with a WAV file sink at the real rate (something is on the air when the
request comes), real sockets, the real play log and ``daemon.log``; ``broadcast test-zone``
typed in a console, and the control channel as the console page uses it.
"""

from __future__ import annotations

import getpass
import json
import socket
import subprocess
import sys
import threading
import time

import pytest

from broadcast.config import load_config
from broadcast.control import ANNOUNCE, TEST_ZONE, ControlClient, ControlError
from broadcast.control.endpoint import create_token, endpoint_file, write_endpoint
from broadcast.paths import ProjectPaths
from broadcast.playlog import Attempt, Outcome
from broadcast.sinks.file import FileSink
from broadcast.sinks.zone_test import SAMPLE_RATE, zone_test_audio
from broadcast.views.zone_test import THROUGH_DAEMON, carry_out_zone_test
from tests.daemon.daemon_project import (
    console,
    idle_ward,
    make_project,
    rows,
    start_to_files,
    wait_for,
    zone_yaml,
)
from tests.daemon.test_air_requests import _log_text, _wav_seconds

pytestmark = pytest.mark.slow  # items play at the real rate

# a name long enough to be still spoken when an emergency comes
RIVERSIDE = (
    "  - id: ven-song\n"
    "    name: Tổ dân phố số ba ven sông, gần chợ trung tâm, trường tiểu học, trạm y tế và nhà "
    "văn hoá của phường\n"
    "    output: {device: file, channels: [1]}\n"
)
ZONES = [zone_yaml("to-1", "file", [1]), zone_yaml("to-2", "file", [1]), RIVERSIDE]
LONG = "Bản tin dài\n\n" + "Bà con nộp hồ sơ trực tuyến tại cổng dịch vụ công của thành phố. " * 6
EMERGENCY = "Khẩn cấp: nước lên nhanh ở khu vực bờ sông, bà con di chuyển đồ đạc lên chỗ cao. " * 2
TECHNICIAN = "ky-thuat-vien"


def _tests_heard(paths: ProjectPaths, zone: str) -> list[float]:
    """Seconds of each zone test the daemon's sink wrote for ``zone``."""
    return _wav_seconds(paths, f"{zone}_phat-thu")


def _on_air(zone: str):
    return lambda found: any(row.is_open and row.airing.zone == zone for row in found)


def _all_closed(found: list[Attempt]) -> bool:
    return bool(found) and not any(row.is_open for row in found)


def test_the_running_daemon_plays_the_test_on_that_zone_only(tmp_path, daemon_log):
    paths = idle_ward(tmp_path, ZONES)
    daemon = start_to_files(paths)
    try:
        run = console(paths, "test-zone", "Khu vực to-1")  # by name, as a technician types it
    finally:
        daemon.stop()
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith('Đã phát thử khu vực "to-1" (Khu vực to-1) trên ')
    assert THROUGH_DAEMON in run.stdout
    (seconds,) = _tests_heard(paths, "to-1")
    assert seconds > 1.5  # the tone, a pause, the name
    assert _tests_heard(paths, "to-2") == []
    assert f"{getpass.getuser()} phát thử khu vực to-1" in _log_text(paths)


def test_a_zone_on_air_is_not_tested_and_the_program_plays_on(tmp_path, daemon_log):
    """The technician is told to wait or stop the program; another zone is tested meanwhile."""
    paths = make_project(tmp_path, ZONES, {"a-dai.txt": LONG}, slot_zones="to-1")
    daemon = start_to_files(paths)
    try:
        wait_for(paths, _on_air("to-1"), 60)
        refused = console(paths, "test-zone", "to-1")
        beside = console(paths, "test-zone", "to-2")
        still_on_air = _on_air("to-1")(rows(paths))
        found = wait_for(paths, _all_closed, 90)
    finally:
        daemon.stop()
    assert refused.returncode == 1
    assert refused.stderr.startswith("Lỗi: chương trình phát không phát thử: ")
    assert 'khu vực "to-1" (Khu vực to-1) đang phát chương trình' in refused.stderr
    assert "broadcast stop --zones to-1" in refused.stderr
    assert _tests_heard(paths, "to-1") == []
    assert beside.returncode == 0, beside.stderr
    assert THROUGH_DAEMON in beside.stdout and len(_tests_heard(paths, "to-2")) == 1
    assert still_on_air  # both answers came while the program played
    (row,) = found
    assert (row.airing.zone, row.outcome) == ("to-1", Outcome.PLAYED)
    assert "không phát thử khu vực to-1" in _log_text(paths)


def test_no_zone_is_tested_while_a_bulletin_is_on_air(tmp_path, daemon_log):
    paths = idle_ward(tmp_path, ZONES)
    daemon = start_to_files(paths)
    try:
        client = ControlClient.from_paths(paths)
        sent = client.call(
            ANNOUNCE, text=EMERGENCY, zones=["to-1"], priority="emergency", sender=TECHNICIAN
        )
        wait_for(paths, _on_air("to-1"), 30)
        with pytest.raises(ControlError) as refused:
            client.call(TEST_ZONE, zone="to-2", sender=TECHNICIAN)
    finally:
        daemon.stop()
    (diagnostic,) = refused.value.diagnostics
    assert diagnostic.code == "bulletin_on_air"
    assert "đang phát thông báo khẩn cấp" in diagnostic.message and sent["id"] in diagnostic.message
    assert "hãy đợi thông báo phát xong" in diagnostic.message
    assert _tests_heard(paths, "to-2") == []


def test_an_emergency_cuts_a_test_in_progress(tmp_path, daemon_log):
    paths = idle_ward(tmp_path, ZONES)
    daemon = start_to_files(paths)
    answers: list[dict] = []
    try:
        client = ControlClient.from_paths(paths)
        testing = threading.Thread(
            target=lambda: answers.append(client.call(TEST_ZONE, zone="ven-song"))
        )
        testing.start()
        deadline = time.monotonic() + 30
        while "phát thử khu vực ven-song" not in _log_text(paths):
            assert time.monotonic() < deadline, "the test never started"
            time.sleep(0.05)
        time.sleep(1.0)  # the tone has sounded; the long name is being read
        sent = client.call(ANNOUNCE, text="Nước lên.", zones=["ven-song"], priority="emergency")
        testing.join(30)
        wait_for(paths, _all_closed, 60)
    finally:
        daemon.stop()
    (answer,) = answers
    assert answer["cut"] == f"nhường cho thông báo khẩn cấp {sent['id']}"
    whole = len(zone_test_audio(load_config(paths).zones[2].name)) / SAMPLE_RATE
    assert answer["error"] is None and 1.0 < answer["aired_seconds"] < whole - 1.0
    (seconds,) = _tests_heard(paths, "ven-song")
    assert abs(seconds - answer["aired_seconds"]) < 0.5


# -- no daemon to ask ----------------------------------------------------------------------


def _plain_ward(tmp_path) -> ProjectPaths:
    return idle_ward(tmp_path, ZONES)


def _test_here(paths: ProjectPaths, tmp_path):
    heard = tmp_path / "here"
    result = carry_out_zone_test(
        paths, load_config(paths), "to-1", lambda: FileSink(heard, realtime=False)
    )
    return result, sorted(heard.rglob("*.wav")) if heard.exists() else []


def test_a_daemon_that_died_leaves_the_test_to_the_command(tmp_path):
    """Its ``control.json`` names a process that is gone: the command plays the test itself."""
    paths = _plain_ward(tmp_path)
    create_token(paths)
    write_endpoint(paths, "127.0.0.1", 9)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], text=True,
                          capture_output=True, check=True)  # fmt: skip
    fields = json.loads(endpoint_file(paths).read_text(encoding="utf-8"))
    fields["pid"] = int(gone.stdout)
    endpoint_file(paths).write_text(json.dumps(fields), encoding="utf-8")
    result, written = _test_here(paths, tmp_path)
    assert result.ok and THROUGH_DAEMON not in result.message
    assert len(written) == 1


def test_nothing_listening_where_the_daemon_said_leaves_the_test_to_the_command(tmp_path):
    paths = _plain_ward(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    create_token(paths)
    write_endpoint(paths, "127.0.0.1", free_port)  # a live process (this one), no listener
    result, written = _test_here(paths, tmp_path)
    assert result.ok, result.message
    assert len(written) == 1


def test_a_daemon_that_does_not_answer_is_never_played_over(tmp_path):
    """Something holds the port and never answers (a hung daemon holding the card, maybe):
    the test is not played, and the technician is told why."""
    paths = _plain_ward(tmp_path)
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen()
        create_token(paths)
        write_endpoint(paths, "127.0.0.1", hung.getsockname()[1])
        result, written = _test_here(paths, tmp_path)
    assert not result.ok and written == []
    assert "Chưa phát thử: chương trình phát có thể đang giữ card âm thanh" in result.message
