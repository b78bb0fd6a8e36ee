"""What the hash chain cannot show alone, and how the head printed in a report shows it.

The chain has no secret key: whoever controls the PC can cut the log's tail and set its head
back, or rewrite every hash with the program's own code, or put an empty or another log in
its place. ``logs --verify`` then passes. A report sent earlier carries the head as it was
(``Mã kiểm tra nhật ký (head)``); ``logs --verify --expect HASH`` checks that the log still
holds the event with that hash. These tests do each tampering and check both ways.
"""

import shutil
import sqlite3
from contextlib import closing, contextmanager
from datetime import datetime, timedelta

import pytest

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, main
from broadcast.clock import FakeClock
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog, database_path
from broadcast.playlog.chain import END, START, event_hash
from broadcast.playlog.schema import CHAINED_FIELDS, GENESIS_HASH
from broadcast.playlog.store import WARD_TIMEZONE as WARD
from broadcast.report import Labels, parse_period, period_report

T0 = datetime(2023, 11, 6, 6, 0, tzinfo=WARD)
REPORTED = FakeClock(datetime(2023, 12, 1, 9, 0, tzinfo=WARD))


def plays(log, first_day, days):
    for n in range(days):
        at = T0 + timedelta(days=first_day + n)
        airing = Airing("to-1", at, "Nộp hồ sơ trực tuyến", "dvc", slot_id="sang")
        attempt_id = log.start_attempt(airing, at)
        log.finish_attempt(attempt_id, Outcome.PLAYED, ended_at=at, aired_seconds=60.0)


def anchored_log(tmp_path):
    """A log of November, its report's anchor, and December's plays written after it."""
    paths = ProjectPaths(tmp_path)
    with PlayLog.open(paths) as log:
        plays(log, 0, 10)
        report = period_report(log, parse_period("2023-11"), Labels(), clock=REPORTED)
        plays(log, 30, 5)
    anchor = next(note for note in report.notes if note.startswith("Nhật ký phát:"))
    assert anchor == report.anchor
    events = anchor.removeprefix("Nhật ký phát: ").split(" sự kiện")[0]
    return paths, int(events), anchor.split("Mã kiểm tra nhật ký (head): ")[1].split()[0]


@contextmanager
def database(paths):
    """The log's file opened directly, as anyone at the PC could; committed, then closed."""
    with closing(sqlite3.connect(database_path(paths))) as conn, conn:
        yield conn


def hash_of_event(paths, seq):
    """The hash the log holds for event ``seq`` (``None`` if it has no such event), read
    directly: what ``--expect`` must agree with."""
    with database(paths) as conn:
        found = conn.execute(
            "SELECT start_hash FROM attempts WHERE start_seq = ? "
            "UNION ALL SELECT end_hash FROM attempts WHERE end_seq = ?",
            (seq, seq),
        ).fetchone()
    return found[0] if found else None


def verified(paths):
    with PlayLog.open_for_reading(paths) as log:
        return log.verify().ok


def expect(paths, head, capsys):
    """``broadcast logs --verify --expect HEAD``: exit code and what it printed."""
    code = main(["--home", str(paths.home), "logs", "--verify", "--expect", head])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_anchor_of_an_untouched_log_still_matches(tmp_path, capsys):
    paths, events, head = anchored_log(tmp_path)
    assert verified(paths) and hash_of_event(paths, events) == head
    code, said = expect(paths, head, capsys)
    assert code == EXIT_OK
    assert f"Khớp mã kiểm tra đã ghi {head}: nhật ký vẫn giữ nguyên {events} sự kiện đầu" in said


def assert_refused(paths, head, capsys):
    """``--expect`` fails, though the chain alone verifies, and says why."""
    code, said = expect(paths, head, capsys)
    assert code == EXIT_INPUT_ERRORS
    assert "Nhật ký toàn vẹn" in said  # the chain check alone passes …
    assert (  # … and the anchor says what it cannot
        f"Nhật ký KHÔNG khớp mã kiểm tra đã ghi {head}: không còn sự kiện nào mang mã này — "
        "nhật ký đã bị cắt bớt, thay bằng tệp khác hoặc viết lại sau khi lập báo cáo đó."
    ) in said


def test_a_cut_tail_passes_the_chain_check_but_not_an_earlier_reports_anchor(tmp_path, capsys):
    paths, events, head = anchored_log(tmp_path)
    with database(paths) as conn:  # keep 8 plays: 16 events
        conn.execute("DELETE FROM attempts WHERE id > 8")
        conn.execute("UPDATE sqlite_sequence SET seq = 8 WHERE name = 'attempts'")
        last = conn.execute("SELECT end_hash FROM attempts WHERE end_seq = 16").fetchone()[0]
        conn.execute("UPDATE chain_head SET seq = 16, hash = ? WHERE id = 1", (last,))
    assert verified(paths)  # the log alone looks whole
    assert hash_of_event(paths, events) is None  # the report said it had 20 events
    assert_refused(paths, head, capsys)


def test_a_full_rewrite_passes_the_chain_check_but_not_an_earlier_reports_anchor(tmp_path, capsys):
    paths, events, head = anchored_log(tmp_path)
    with database(paths) as conn:
        conn.execute("UPDATE attempts SET outcome = 'missed', aired_seconds = 0 WHERE id = 3")
        rehash(conn)
    assert verified(paths)
    assert hash_of_event(paths, events) != head
    assert_refused(paths, head, capsys)


def test_a_log_replaced_by_another_or_an_empty_one_passes_the_chain_check_not_the_anchor(
    tmp_path, capsys
):
    paths, _, head = anchored_log(tmp_path / "ward")
    other = ProjectPaths(tmp_path / "other")  # as many plays, one day later each
    with PlayLog.open(other) as log:
        plays(log, 1, 15)
    shutil.copy(database_path(other), database_path(paths))
    assert verified(paths)
    assert_refused(paths, head, capsys)
    database_path(paths).unlink()
    PlayLog.open(paths).close()  # an empty log in its place
    assert verified(paths)
    assert_refused(paths, head, capsys)
    database_path(paths).unlink()  # no log at all
    code, said = expect(paths, head, capsys)
    assert code == EXIT_INPUT_ERRORS and "Chưa có nhật ký phát" in said


def test_the_anchor_of_an_empty_log_is_the_chain_s_start(tmp_path, capsys):
    paths = ProjectPaths(tmp_path)
    with PlayLog.open(paths) as log:
        report = period_report(log, parse_period("2023-11"), Labels(), clock=REPORTED)
        plays(log, 0, 2)
    assert any(GENESIS_HASH in note for note in report.notes)
    assert expect(paths, GENESIS_HASH, capsys)[0] == EXIT_OK


def test_a_mistyped_anchor_is_refused_with_where_to_copy_it_from(tmp_path, capsys):
    paths, _, head = anchored_log(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["--home", str(paths.home), "logs", "--verify", "--expect", head[:20]])
    assert exited.value.code == EXIT_USAGE
    assert "Mã kiểm tra nhật ký (head)" in capsys.readouterr().err


def rehash(conn):
    """Every hash computed again in event order, as someone with this code could."""
    columns = ", ".join(CHAINED_FIELDS)
    events = conn.execute(
        f"SELECT start_seq, '{START}', {columns} FROM attempts UNION ALL "
        f"SELECT end_seq, '{END}', {columns} FROM attempts WHERE end_seq IS NOT NULL "
        "ORDER BY 1"
    ).fetchall()
    previous = GENESIS_HASH
    for seq, kind, *chained in events:
        previous = event_hash(previous, seq, kind, chained)
        column = "start" if kind == START else "end"
        conn.execute(
            f"UPDATE attempts SET {column}_hash = ? WHERE {column}_seq = ?", (previous, seq)
        )
    conn.execute("UPDATE chain_head SET hash = ? WHERE id = 1", (previous,))
