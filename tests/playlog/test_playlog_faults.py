"""The log under damage: writes the storage refuses, and files that are not a readable log.

A refused write is made with SQLite's own limit on the file's size (``max_page_count``): the
same ``SQLITE_FULL`` a full disk gives (the daemon's test on a real full disk is in
``tests/daemon/test_faults_playlog.py``). Damaged files are made the way they happen: garbage
over the file, a table dropped, a newer program's schema, a page overwritten.
"""

import logging
import os
import sqlite3
from datetime import datetime, timedelta

import pytest

from broadcast.cli import EXIT_INPUT_ERRORS, main
from broadcast.playlog import (
    BulletinRecord,
    Outcome,
    PlayLog,
    PlayLogUnreadable,
    Reason,
    database_path,
    open_for_air,
)
from broadcast.playlog import pending as pending_module
from broadcast.playlog.store import WARD_TIMEZONE as TZ
from tests.reliability.reliability_ward import make_ward

T0 = datetime(2023, 1, 2, 6, 0, tzinfo=TZ)
FULL = "ổ đĩa đầy"
LONG = " dài" * 1500  # a title longer than a page of the file


def disk_full(log, full=True):
    """The file may not grow (``SQLITE_FULL`` on the next page it needs), or may again. Rows
    here are longer than a page (``LONG``), so each one needs new pages."""
    pages = log._conn.execute("PRAGMA page_count").fetchone()[0]
    log._conn.execute(f"PRAGMA max_page_count = {pages if full else 1_000_000}")


def play(log, airing, n, outcome=Outcome.PLAYED):
    """One item on one zone, as the daemon logs it; returns the id it was given."""
    at = T0 + timedelta(minutes=n)
    attempt_id = log.start_attempt(airing(title=f"Tin số {n}{LONG}"), at)
    log.progress(attempt_id, 30.0, at + timedelta(seconds=30))
    log.finish_attempt(attempt_id, outcome, ended_at=at + timedelta(minutes=1), aired_seconds=60)
    return attempt_id


def test_refused_writes_wait_in_order_and_are_written_when_the_storage_takes_them(log, airing):
    playing = log.start_attempt(airing(title=f"Tin số 0{LONG}"), T0)  # on air as the disk fills
    disk_full(log)
    log.finish_attempt(playing, Outcome.PLAYED, ended_at=T0, aired_seconds=60.0)
    ids = [play(log, airing, n) for n in range(1, 6)]
    log.record_missed(airing(title=f"Tin số 6{LONG}"), Reason.DEVICE_ERROR, outcome=Outcome.FAILED)
    bulletin = BulletinRecord("khan-1", "emergency", T0, ("to-1",), "Báo cháy", text="Cháy")
    log.record_bulletin(bulletin)
    log.note_scripts_seen({"moi": T0})
    waiting = log.writes_waiting
    alarm = log.catch_up()  # the daemon's heartbeat: still full
    assert waiting > 0 and log.writes_waiting == waiting
    assert alarm.startswith(f"không ghi được nhật ký phát ({FULL}): {waiting} thao tác đang chờ")
    assert [row.id for row in log.attempts()] == [playing]  # nothing written meanwhile
    assert all(attempt_id < 0 for attempt_id in ids)  # the rows not written yet
    disk_full(log, full=False)
    assert log.catch_up() is None and log.writes_waiting == 0
    rows = sorted(log.attempts(), key=lambda row: row.id)
    assert [row.airing.title for row in rows] == [f"Tin số {n}{LONG}" for n in range(7)]
    assert [row.id for row in rows] == list(range(1, 8))  # ids in the order things happened
    assert [row.outcome for row in rows] == [Outcome.PLAYED] * 6 + [Outcome.FAILED]
    assert [row.aired_seconds for row in rows[1:6]] == [60.0] * 5
    assert log.bulletins() == [bulletin] and "moi" in log.script_arrivals()
    assert log.verify().ok and log.chain_head()[0] == 14


def test_a_row_written_late_takes_its_end_whenever_that_comes(log, airing):
    disk_full(log)
    late = log.start_attempt(airing(title=LONG), T0)
    disk_full(log, full=False)
    log.catch_up()
    log.finish_attempt(late, Outcome.PARTIAL, ended_at=T0, aired_seconds=12.0, reason="x")
    (row,) = log.attempts()
    assert late < 0 < row.id and (row.outcome, row.aired_seconds) == (Outcome.PARTIAL, 12.0)


def test_writes_still_waiting_when_the_log_closes_are_lost_and_said_so(paths, airing, caplog):
    log = PlayLog.open(paths)
    playing = log.start_attempt(airing(), T0)
    disk_full(log)
    play(log, airing, 1)  # refused: its row, and the end of the one playing behind it
    log.finish_attempt(playing, Outcome.PLAYED, ended_at=T0, aired_seconds=60.0)
    assert log.writes_waiting == 3
    with caplog.at_level(logging.ERROR, logger="broadcast.playlog"):
        log.close()
    assert "3 thao tác ghi nhật ký phát bị mất: ổ đĩa đầy" in caplog.text
    with PlayLog.open(paths) as reopened:  # the next start closes what the crash left open
        (row,) = reopened.attempts()
    assert (row.id, row.outcome, row.reason) == (playing, Outcome.INTERRUPTED, Reason.DAEMON_DOWN)


def test_beyond_the_memory_limit_writes_are_counted_as_lost(log, airing, monkeypatch):
    monkeypatch.setattr(pending_module, "LIMIT", 4)
    disk_full(log)
    for n in range(4):  # a start and an end each (a row's heartbeat waits for nothing)
        play(log, airing, n)
    assert log.writes_waiting == 4
    disk_full(log, full=False)
    alarm = log.catch_up()
    assert alarm == "4 thao tác ghi nhật ký phát đã bị mất"
    assert len(log.attempts()) == 2 and log.verify().ok  # what was kept is whole


def test_a_value_the_log_refuses_is_still_an_error_not_a_wait(log, airing):
    attempt_id = log.start_attempt(airing(), T0)
    with pytest.raises(sqlite3.IntegrityError):
        log.finish_attempt(attempt_id, Outcome.PLAYED, ended_at=T0, aired_seconds=1, underruns=-1)
    assert log.writes_waiting == 0


def garbage(path):
    path.write_bytes(os.urandom(path.stat().st_size))


def dropped_table(path):
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE attempts")


def newer_schema(path):
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")


def damaged_page(path):
    with sqlite3.connect(path) as conn:
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'attempts'")
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    start = (root[0] - 1) * size  # the attempts table's first page: every read goes through it
    data[start : start + size] = os.urandom(size)
    path.write_bytes(bytes(data))


DAMAGES = {
    garbage: "tệp không phải cơ sở dữ liệu SQLite (đã bị ghi đè hoặc hỏng)",
    dropped_table: "thiếu bảng attempts (đã bị xoá?)",
    newer_schema: "ở phiên bản 99, chương trình này chỉ đọc được đến phiên bản",
    damaged_page: "tệp bị hỏng bên trong (SQLite",
}


@pytest.fixture
def ward_log(tmp_path, airing):
    """A valid ward whose log holds 40 plays, closed as the daemon leaves it."""
    paths = make_ward(tmp_path)
    with PlayLog.open(paths) as log:
        for n in range(40):
            play(log, airing, n * 60 * 24)
    return paths


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda damage: damage.__name__)
def test_the_daemon_moves_a_damaged_log_aside_and_starts_a_new_one(ward_log, damage):
    database = database_path(ward_log)
    damage(database)
    damaged = database.read_bytes()
    now = datetime(2026, 12, 4, 6, 0, 5, tzinfo=TZ)
    log, alarm = open_for_air(ward_log, now=now)
    with log:
        assert log.attempts() == [] and log.verify().ok
    aside = ward_log.data_dir / "playlog.damaged-20261204-060005.sqlite3"
    assert aside.read_bytes() == damaged  # kept as found
    assert DAMAGES[damage] in alarm
    assert "đã cất tệp cũ sang data/playlog.damaged-20261204-060005.sqlite3" in alarm
    garbage(database)  # damaged again within the same second: the first copy stays
    open_for_air(ward_log, now=now)[0].close()
    assert (ward_log.data_dir / "playlog.damaged-20261204-060005-2.sqlite3").exists()
    assert aside.read_bytes() == damaged


def test_a_sound_log_is_opened_as_it_is(ward_log):
    log, alarm = open_for_air(ward_log, now=T0)
    with log:
        assert alarm is None and len(log.attempts()) == 40
    assert not list(ward_log.data_dir.glob("*.damaged-*"))


COMMANDS = {
    "logs": ["logs"],
    "verify": ["logs", "--verify"],
    "report": ["report", "--period", "2023-Q1", "--out", "-", "--format", "md"],
    "reconcile": ["reconcile", "--date", "2023-01-02"],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("damage", DAMAGES, ids=lambda damage: damage.__name__)
def test_every_reading_command_gives_a_verdict_on_a_damaged_log(ward_log, damage, command, capsys):
    damage(database_path(ward_log))
    code = main(["--home", str(ward_log.home), *COMMANDS[command]])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT_ERRORS
    assert DAMAGES[damage] in err
    if command == "verify":
        assert err.startswith("Nhật ký KHÔNG toàn vẹn: ")
    else:
        assert "Tệp được giữ nguyên để kiểm tra" in err


def test_a_log_damaged_under_a_reader_gives_the_verdict_too(ward_log):
    with PlayLog.open_for_reading(ward_log) as log:
        dropped_table(database_path(ward_log))
        with pytest.raises(PlayLogUnreadable, match="no such table: attempts"):
            log.attempts()
