"""Faults of the play log under the running daemon: a damaged file, a full disk.

The log is a side part: the station airs whatever state it is in. A damaged
``playlog.sqlite3`` is moved aside (kept byte for byte) and a new log started, with an alarm;
a disk under ``data/`` that fills up mid-program does not stop the program: its rows wait in
memory, an alarm says so, and they are written, in order and chained, once space returns —
``reconcile`` then shows every item aired. The disk is a real tmpfs filled to its last byte;
what the streets hear is recorded at the sound server's monitor.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime

import pytest

from broadcast.audio.manifest import AudioManifest
from broadcast.audio.wavfile import read_wav
from broadcast.cli import main
from broadcast.daemon.alarms import AlarmCode
from broadcast.daemon.segment_audio import as_pcm16
from broadcast.playlog import Outcome, PlayLog, database_path
from tests.daemon.daemon_project import WARD, make_project, start_daemon, wait_for, zone_yaml
from tests.daemon.test_daemon import located
from tests.support.full_disk import fill, mounted_tmpfs

pytestmark = pytest.mark.slow  # programs played through the virtual card

SCRIPTS = {
    "tiep-dan.txt": "Lịch tiếp dân\n\nỦy ban nhân dân phường tiếp dân sáng thứ năm hằng tuần.\n",
    "thu-phi.txt": "Thu phí vệ sinh\n\nTổ dân phố thu phí vệ sinh môi trường từ ngày mùng một.\n",
    "tiem-chung.txt": "Tiêm chủng\n\nTrạm y tế phường tiêm chủng cho trẻ vào sáng thứ bảy.\n",
}
STREETS = [zone_yaml("pho-1", "test_realtime4", [1]), zone_yaml("pho-2", "test_realtime4", [2])]


def _alarm(daemon, code):
    return next((alarm for alarm in daemon.alarms.active() if alarm.code == code), None)


def _until(done, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (found := done()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return found


def test_a_damaged_play_log_is_moved_aside_and_the_slot_airs(tmp_path):
    street = zone_yaml("pho-1", "test_card4", [1])  # fast: only the row is looked at
    paths = make_project(tmp_path, [street], {"tiep-dan.txt": SCRIPTS["tiep-dan.txt"]})
    database = database_path(paths)
    database.parent.mkdir(parents=True)
    garbage = os.urandom(64 * 1024)  # e.g. a disk fault or a copy gone wrong
    database.write_bytes(garbage)
    daemon = start_daemon(paths)
    try:
        (row,) = wait_for(paths, lambda rows: rows and not rows[-1].is_open)
        alarm = _alarm(daemon, AlarmCode.PLAYLOG_REPLACED)
        status = daemon.status().to_json()
    finally:
        daemon.stop()
    assert row.outcome is Outcome.PLAYED  # the station aired on a new log
    (aside,) = paths.data_dir.glob("playlog.damaged-*.sqlite3")
    assert aside.read_bytes() == garbage  # kept as it was, for inspection
    assert alarm is not None
    assert "không phải cơ sở dữ liệu SQLite" in alarm.message
    assert paths.relative(aside) in alarm.message
    assert any(a["code"] == "playlog_replaced" for a in status["alarms"])
    with PlayLog.open_for_reading(paths) as log:
        assert log.verify().ok
    print(f"\n[fault:playlog-damaged] aired=new_log kept={aside.name}\n  alarm: {alarm.message}")


def _reconcile(paths, data_dir, day, capsys) -> dict[str, int]:
    argv = ["--home", str(paths.home), "--data", str(data_dir), "reconcile", "--date"]
    assert main([*argv, f"{day:%Y-%m-%d}", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["counts"]


@pytest.mark.realtime
def test_a_full_disk_mid_program_keeps_the_air_and_the_rows_follow_when_space_returns(
    tmp_path, realtime_card, capsys
):
    with mounted_tmpfs(tmp_path / "data-disk", 4 * 1024 * 1024) as disk:
        paths = make_project(tmp_path / "ward", STREETS, SCRIPTS).with_data_dir(disk)
        loudspeakers = realtime_card.listen("test_realtime4").start()
        daemon = start_daemon(paths)
        try:
            # The first item starts on both streets; then another program fills the disk.
            wait_for(paths, lambda rows: len(rows) == 2)
            filler = fill(disk)
            filled = time.monotonic()
            alarm = _until(
                lambda: _alarm(daemon, AlarmCode.PLAYLOG_UNWRITTEN), 10, "no alarm for the log"
            )
            alarm_after = time.monotonic() - filled
            # The program goes on to its end on both streets, the disk still full.
            _until(lambda: not daemon.status().playing, 90, "the program never ended")
            while_full = _reconcile(paths, disk, datetime.now(WARD).date(), capsys)
            waiting = daemon.log.writes_waiting
            filler.unlink()  # the technician frees space
            freed = time.monotonic()
            rows = wait_for(paths, lambda r: len(r) == 6 and not any(a.is_open for a in r), 10)
            written_after = time.monotonic() - freed
            _until(lambda: not _alarm(daemon, AlarmCode.PLAYLOG_UNWRITTEN), 10, "alarm stays")
            after = _reconcile(paths, disk, datetime.now(WARD).date(), capsys)
        finally:
            daemon.stop()
            loudspeakers.stop()
        with PlayLog.open_for_reading(paths) as log:
            verified = log.verify()
        manifest = AudioManifest.load(paths)
    heard = loudspeakers.frames
    for script in SCRIPTS:  # every item, to its last sample, on both streets
        rendered = as_pcm16(read_wav(manifest.entry(script.removesuffix(".txt")).path))
        assert located(heard[:, 0], rendered) and located(heard[:, 1], rendered), script
    assert "ổ đĩa đầy" in alarm.message and "đang chờ trong bộ nhớ" in alarm.message
    assert waiting > 0
    # while full: the first item shows as playing, the rest as planned with no record
    assert (while_full["playing"], while_full["no_record"], while_full["aired"]) == (2, 4, 0)
    assert {row.outcome for row in rows} == {Outcome.PLAYED}
    assert sorted((row.airing.script_id, row.airing.zone) for row in rows) == sorted(
        (script.removesuffix(".txt"), zone) for script in SCRIPTS for zone in ("pho-1", "pho-2")
    )
    assert [row.id for row in rows] == sorted(row.id for row in rows)  # in the order played
    assert verified.ok and verified.events == 12
    assert (after["aired"], after["no_record"], after["playing"]) == (6, 0, 0)
    print(
        f"\n[fault:playlog-disk-full] rows_waiting={waiting} alarm_after_s={alarm_after:.2f} "
        f"rows_written_after_freeing_s={written_after:.2f} aired=6/6\n  alarm: {alarm.message}"
    )
