"""Rows an IP cluster played: JSON on the wire, stored once in the station's chained log."""

import hashlib
import json
import sqlite3
import time
from contextlib import closing
from datetime import datetime, timedelta

import pytest

from broadcast.clusters.bodies import acked_rows
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Attempt, Outcome, PlayLog, Reason, database_path
from broadcast.playlog.remote import (
    BadRow,
    attempt_to_row,
    played_message,
    row_from_json,
    rows_from_message,
)
from broadcast.playlog.schema import LATEST_VERSION, MIGRATIONS
from broadcast.playlog.store import WARD_TIMEZONE as TZ
from tests.playlog.test_playlog_migration import v3_event

T0 = datetime(2026, 12, 5, 6, 0, tzinfo=TZ)


@pytest.fixture
def receiver_log(tmp_path):
    """The receiver's own log on the cluster box: the same ``PlayLog``."""
    with PlayLog.open(ProjectPaths(tmp_path / "box")) as opened:
        yield opened


def play(log, airing, started, seconds, outcome=Outcome.PLAYED, **ending):
    row = log.start_attempt(airing, started)
    ending.setdefault("output", "USB Audio, kênh 1")
    log.finish_attempt(
        row,
        outcome,
        ended_at=started + timedelta(seconds=seconds),
        aired_seconds=seconds,
        **ending,
    )
    return row


def receiver_rows(log, airing):
    """One of each kind a receiver writes: played, played to a file, cut, missed."""
    full = airing(
        zone="xom-3",
        at=T0,
        slot_id="sang",
        program="ban-tin-sang",
        topic="dvc",
        planned_seconds=62.5,
        audio_hash="ab" * 32,
        engine="piper",
        voice="vi-vais",
        approval_id=7,
    )
    play(log, full, T0 + timedelta(milliseconds=3), 62.5, underruns=0)
    play(log, airing(zone="xom-3", at=T0 + timedelta(hours=1)), T0 + timedelta(hours=1), 30.0,
         output="/srv/loa/out.wav", to_file=True)  # fmt: skip
    cut = airing(zone="xom-3", at=T0 + timedelta(hours=2), resumed_from_seconds=12.5)
    play(log, cut, T0 + timedelta(hours=2), 4.0, Outcome.PREEMPTED,
         reason=Reason.preempted_by("b-1"), underruns=2)  # fmt: skip
    log.record_missed(airing(zone="xom-3", at=T0 + timedelta(hours=3)), Reason.DAEMON_DOWN)
    return log.attempts()


def test_a_row_crosses_the_wire_whole(receiver_log, airing):
    rows = receiver_rows(receiver_log, airing)
    sent = json.loads(played_message(reversed(rows)))
    assert [row["id"] for row in sent["rows"]] == [1, 2, 3, 4]  # id order
    back, problems = rows_from_message(json.dumps(sent).encode())
    assert problems == []
    assert back == rows  # every field of the airing and of the ending
    assert sent["rows"][0]["started_at"] == "2026-12-05T06:00:00.003000+07:00"


@pytest.mark.parametrize(
    "change",
    [
        {"id": 0},
        {"id": "3"},
        {"outcome": None},  # still open
        {"outcome": "won"},
        {"zone": None},
        {"scheduled_at": "05/12/2026 06:00"},
        {"scheduled_at": "2026-12-05T06:00:00"},  # no offset
        {"aired_seconds": -1},
        {"aired_seconds": float("nan")},
        {"underruns": 1.5},
        {"to_file": "no"},
        {"title": 5},
    ],
)
def test_a_row_that_is_not_one_is_refused(receiver_log, airing, change):
    (row, *_) = receiver_rows(receiver_log, airing)
    with pytest.raises(BadRow):
        row_from_json({**attempt_to_row(row), **change})


def test_a_message_with_bad_rows_keeps_the_good_ones(receiver_log, airing):
    good = [attempt_to_row(row) for row in receiver_rows(receiver_log, airing)]
    data = json.dumps({"rows": [good[0], {"id": 9}, good[1]]}).encode()
    rows, problems = rows_from_message(data)
    assert [row.id for row in rows] == [1, 2] and len(problems) == 1
    assert rows_from_message(b"offline") == ([], [rows_from_message(b"offline")[1][0]])
    assert acked_rows({"rows": [1, True, "2", -3, 4]}) == [1, 4]


def test_the_station_stores_a_clusters_rows_with_its_own_times(log, receiver_log, airing):
    rows = receiver_rows(receiver_log, airing)
    assert log.ingest_remote("cum-07", rows) == [1, 2, 3, 4]
    stored = log.attempts()
    assert [row.airing for row in stored] == [row.airing for row in rows]
    for mine, theirs in zip(stored, rows, strict=True):
        assert (mine.started_at, mine.ended_at) == (theirs.started_at, theirs.ended_at)
        assert (mine.outcome, mine.reason, mine.aired_seconds, mine.underruns) == (
            theirs.outcome,
            theirs.reason,
            theirs.aired_seconds,
            theirs.underruns,
        )
        assert mine.to_file == theirs.to_file
    assert stored[0].output == "cụm loa IP cum-07: USB Audio, kênh 1"
    assert stored[3].output == "cụm loa IP cum-07"  # missed: no output at the box
    assert stored[0].heard and not stored[1].heard  # a WAV file at the box is not heard
    assert log.verify().ok and log.verify().events == 8  # start and end of each


def test_a_row_sent_twice_is_stored_once_and_acknowledged_again(log, receiver_log, airing):
    rows = receiver_rows(receiver_log, airing)
    assert log.ingest_remote("cum-07", rows[:2]) == [1, 2]
    assert log.ingest_remote("cum-07", rows) == [1, 2, 3, 4]  # the ack of 1, 2 was lost
    assert log.ingest_remote("cum-07", rows + rows) == [1, 2, 3, 4] * 2
    assert len(log.attempts()) == 4
    # another cluster's row 1 is another row
    assert log.ingest_remote("cum-08", rows[:1]) == [1]
    assert len(log.attempts()) == 5 and log.verify().ok
    assert log.ingest_remote("cum-07", []) == []


def test_station_rows_and_cluster_rows_interleave_in_one_chain(log, receiver_log, airing):
    rows = receiver_rows(receiver_log, airing)
    open_row = log.start_attempt(airing(zone="to-1"), T0)  # the daemon plays meanwhile
    log.ingest_remote("cum-07", rows)
    log.finish_attempt(open_row, Outcome.PLAYED, ended_at=T0, aired_seconds=1.0)
    assert log.verify().ok


@pytest.mark.parametrize(
    ("column", "value"), [("cluster_id", "cum-99"), ("cluster_row", 99), ("cluster_id", None)]
)
def test_a_changed_cluster_column_is_found(log, paths, receiver_log, airing, column, value):
    log.ingest_remote("cum-07", receiver_rows(receiver_log, airing))
    with closing(sqlite3.connect(database_path(paths))) as conn:
        conn.execute(f"UPDATE attempts SET {column} = ? WHERE id = 3", (value,))
        conn.commit()
    problem = log.verify().problem
    assert problem is not None and problem.attempt_id == 3 and problem.kind == "changed"


def test_a_days_backlog_is_stored_in_one_write(log, airing, record_property):
    """A cluster offline for a day sends ~300 rows at once (every 5 minutes); the station
    stores them in one transaction, none lost, none twice."""
    rows = [
        Attempt(
            id=n + 1,
            airing=airing(zone="xom-3", at=T0 + timedelta(minutes=5 * n)),
            started_at=T0 + timedelta(minutes=5 * n, milliseconds=2),
            ended_at=T0 + timedelta(minutes=5 * n, seconds=60),
            aired_seconds=60.0,
            outcome=Outcome.PLAYED,
            reason=None,
            error=None,
            output="USB Audio, kênh 1",
            underruns=0,
        )
        for n in range(288)
    ]
    began = time.perf_counter()
    acked = log.ingest_remote("cum-07", rows)
    took = time.perf_counter() - began
    record_property("backlog_288_rows_seconds", round(took, 3))
    assert acked == list(range(1, 289))
    assert log.ingest_remote("cum-07", rows) == acked
    assert len(log.attempts()) == 288 and log.verify().ok
    assert took < 5


# -- a log written by the version-6 program ----------------------------------------------

V6_CHAINED = (
    "id", "slot_id", "program", "script_id", "title", "topic", "audio_hash", "engine", "voice",
    "zone", "scheduled_at", "started_at", "planned_seconds",
    "ended_at", "aired_seconds", "outcome", "reason", "error",
    "bulletin_id", "output", "to_file", "resumed_from", "underruns", "approval_id",
)  # fmt: skip


def v6_event_hash(prev_hash, seq, kind, chained):
    """``chain.event_hash`` as version 6 wrote it, frozen."""
    if kind == "start":
        values, groups = chained[:13], [chained[18:19], chained[21:22], chained[23:24]]
    else:
        values, groups = chained[:18], [chained[18:21], chained[21:23], chained[23:24]]
    groups = [list(group) for group in groups]
    while groups and all(value is None for value in groups[-1]):
        groups.pop()
    text = json.dumps(
        [prev_hash, seq, kind, [*values, *groups]], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def v6_event(conn, row_id, kind):
    v3_event(conn, row_id, kind, V6_CHAINED, v6_event_hash)


def write_v6_log(path):
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for statement in (s for step in MIGRATIONS[:6] for s in step):
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 6")
        at = "2026-12-04T06:00:01.000+07:00"
        for zone, extra in (("to-1", {"approval_id": 3}), ("to-2", {"resumed_from": 2.5})):
            names = ("zone", "title", "scheduled_at", "started_at", *extra)
            cursor = conn.execute(
                f"INSERT INTO attempts ({', '.join(names)}, start_seq, start_hash) VALUES "
                f"({', '.join('?' * len(names))}, (SELECT seq + 1 FROM chain_head), '')",
                (zone, "Tin sáng", at, at, *extra.values()),
            )
            v6_event(conn, cursor.lastrowid, "start")
            conn.execute(
                "UPDATE attempts SET outcome = 'played', aired_seconds = 60.0, ended_at = ?, "
                "output = 'USB Audio, kênh 1', underruns = 0 WHERE id = ?",
                (at, cursor.lastrowid),
            )
            v6_event(conn, cursor.lastrowid, "end")


def test_a_version_6_log_migrates_and_takes_cluster_rows(paths, receiver_log, airing):
    path = database_path(paths)
    write_v6_log(path)
    with PlayLog.open(paths) as log:
        assert log.verify().ok
        log.ingest_remote("cum-07", receiver_rows(receiver_log, airing))
        assert log.verify().ok and len(log.attempts()) == 6
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        conn.execute("UPDATE attempts SET cluster_id = 'cum-07' WHERE id = 1")  # an old row
        conn.commit()
    with PlayLog.open_for_reading(paths) as reader:
        assert reader.verify().problem.attempt_id == 1


def test_the_database_refuses_a_second_copy_of_a_cluster_row(log, paths, receiver_log, airing):
    log.ingest_remote("cum-07", receiver_rows(receiver_log, airing)[:1])
    with (
        closing(sqlite3.connect(database_path(paths))) as conn,
        pytest.raises(sqlite3.IntegrityError),
    ):
        conn.execute(
            "INSERT INTO attempts (zone, title, scheduled_at, cluster_id, cluster_row, "
            "start_seq, start_hash) VALUES ('x', 'y', 'z', 'cum-07', 1, 99, '')"
        )


def test_an_airing_built_here_and_the_row_agree(airing):
    """``Airing`` fields all travel: a new field added to it must be added to the row."""
    names = set(Airing.__dataclass_fields__)
    row = attempt_to_row(
        row_from_json(
            {
                "id": 1,
                "zone": "z",
                "title": "t",
                "scheduled_at": T0.isoformat(),
                "outcome": "played",
            }
        )
    )
    assert names - {"resumed_from_seconds"} <= set(row) and "resumed_from_seconds" in row
