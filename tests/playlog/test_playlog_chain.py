import sqlite3
from datetime import datetime, timedelta

import pytest

from broadcast.playlog import Outcome, PlayLog, Reason, database_path
from broadcast.playlog.store import WARD_TIMEZONE as TZ

T0 = datetime(2023, 3, 6, 6, 0, tzinfo=TZ)


@pytest.fixture
def filled(paths, airing):
    """Five finished plays on two zones, interleaved as the daemon writes them, one open.
    The second zone's rows are the rest of an item from 0:12.5, with gaps listeners heard."""
    with PlayLog.open(paths) as log:
        for n in range(5):
            at = T0 + timedelta(days=n)
            first = log.start_attempt(airing(zone="to-1", at=at), at)
            rest = airing(zone="to-2", at=at, resumed_from_seconds=12.5)
            second = log.start_attempt(rest, at)
            log.finish_attempt(first, Outcome.PLAYED, ended_at=at, aired_seconds=60, underruns=0)
            log.finish_attempt(second, Outcome.RESUMED, ended_at=at, aired_seconds=20, underruns=2)
        log.record_missed(airing(at=T0 + timedelta(days=6)), Reason.DAEMON_DOWN)
        log.start_attempt(airing(at=T0 + timedelta(days=7)), T0 + timedelta(days=7))
    return paths


def tamper(paths, sql, *params):
    conn = sqlite3.connect(database_path(paths))
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def verify(paths):
    with PlayLog.open_for_reading(paths) as log:
        return log.verify()


def test_an_untouched_log_verifies(filled):
    result = verify(filled)
    assert result.ok
    assert (result.rows, result.events) == (12, 23)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("title", "Bản tin khác"),
        ("aired_seconds", 600.0),
        ("outcome", "played"),
        ("zone", "x"),
        # hiding the gaps listeners heard, or that only the rest of the item was aired
        ("underruns", 0),
        ("underruns", None),
        ("resumed_from", 0.0),
        ("resumed_from", None),
    ],
)
def test_editing_a_chained_column_names_the_row(filled, column, value):
    tamper(filled, f"UPDATE attempts SET {column} = ? WHERE id = 4", value)
    result = verify(filled)
    assert not result.ok
    assert (result.problem.attempt_id, result.problem.kind) == (4, "changed")
    assert "#4" in result.problem.message


def test_the_first_changed_row_in_the_chain_is_named(filled):
    tamper(filled, "UPDATE attempts SET title = 'a' WHERE id = 7")
    tamper(filled, "UPDATE attempts SET title = 'b' WHERE id = 3")
    assert verify(filled).problem.attempt_id == 3


def test_giving_an_open_row_an_outcome_is_caught(filled):
    tamper(filled, "UPDATE attempts SET outcome = 'played', aired_seconds = 60 WHERE id = 12")
    assert verify(filled).problem.attempt_id == 12


@pytest.mark.parametrize(
    ("row", "change"),
    [
        (3, "underruns = 1"),  # a clean play given a gap
        (11, "underruns = 0"),  # a missed row (never played: unknown) made to look clean
        (1, "resumed_from = 30"),  # a play from the start made the rest of one
        (12, "underruns = 0"),  # an open row given an end value
    ],
)
def test_setting_underruns_or_a_resume_point_where_there_was_none_is_caught(filled, row, change):
    tamper(filled, f"UPDATE attempts SET {change} WHERE id = ?", row)
    assert verify(filled).problem.attempt_id == row


@pytest.mark.parametrize("removed", [1, 5, 11, 12])
def test_deleting_a_row_names_it(filled, removed):
    tamper(filled, "DELETE FROM attempts WHERE id = ?", removed)
    problem = verify(filled).problem
    assert (problem.attempt_id, problem.kind) == (removed, "removed")
    assert f"#{removed}" in problem.message


def test_deleting_the_last_rows_and_hiding_their_ids_is_still_caught(filled):
    tamper(filled, "DELETE FROM attempts WHERE id >= 11")
    tamper(filled, "UPDATE sqlite_sequence SET seq = 10 WHERE name = 'attempts'")
    problem = verify(filled).problem
    assert problem.kind == "removed"


def test_the_heartbeat_is_not_part_of_the_chain(filled):
    with PlayLog.open_for_reading(filled) as log:
        log.progress(12, 30.0, T0 + timedelta(days=7, seconds=30))
        assert log.verify().ok
