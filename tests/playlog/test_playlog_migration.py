"""A log written by the version-3 program opens in this one: migrated, and its chain verifies.

The version-3 writer is rebuilt here from its table statements and a frozen copy of its hash,
so a later change to ``chain.event_hash`` that breaks logs already in the wards fails here.
"""

import hashlib
import json
import sqlite3
from contextlib import closing
from datetime import datetime

from broadcast.playlog import Airing, Outcome, PlayLog, database_path
from broadcast.playlog.schema import LATEST_VERSION, MIGRATIONS
from broadcast.playlog.store import WARD_TIMEZONE

V3_CHAINED = (
    "id", "slot_id", "program", "script_id", "title", "topic", "audio_hash", "engine", "voice",
    "zone", "scheduled_at", "started_at", "planned_seconds",
    "ended_at", "aired_seconds", "outcome", "reason", "error",
    "bulletin_id", "output", "to_file",
)  # fmt: skip
V3_START, V3_FIRST_ADDED = 13, 18


def v3_event_hash(prev_hash, seq, kind, chained):
    """``chain.event_hash`` as versions 2 and 3 wrote it."""
    added = (
        chained[V3_FIRST_ADDED : V3_FIRST_ADDED + 1]
        if kind == "start"
        else chained[V3_FIRST_ADDED:]
    )
    values = list(chained[:V3_START] if kind == "start" else chained[:V3_FIRST_ADDED])
    if any(value is not None for value in added):
        values.append(list(added))
    text = json.dumps([prev_hash, seq, kind, values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def v3_event(conn, row_id, kind, chained_columns=V3_CHAINED, hashed=v3_event_hash):
    """Chain one event as an older version did (``hashed`` over its ``chained_columns``)."""
    seq, prev_hash = conn.execute("SELECT seq, hash FROM chain_head").fetchone()
    seq += 1
    conn.execute(f"UPDATE attempts SET {kind}_seq = ? WHERE id = ?", (seq, row_id))
    columns = ", ".join(chained_columns)
    chained = conn.execute(f"SELECT {columns} FROM attempts WHERE id = ?", (row_id,)).fetchone()
    digest = hashed(prev_hash, seq, kind, chained)
    conn.execute(f"UPDATE attempts SET {kind}_hash = ? WHERE id = ?", (digest, row_id))
    conn.execute("UPDATE chain_head SET seq = ?, hash = ?", (seq, digest))


def v3_start(conn, zone, title, started_at, **fields):
    names = ("zone", "title", "scheduled_at", "started_at", *fields)
    cursor = conn.execute(
        f"INSERT INTO attempts ({', '.join(names)}, start_seq, start_hash) VALUES "
        f"({', '.join('?' * len(names))}, (SELECT seq + 1 FROM chain_head), '')",
        (zone, title, "2026-03-02T06:00:00.000+07:00", started_at, *fields.values()),
    )
    v3_event(conn, cursor.lastrowid, "start")
    return cursor.lastrowid


def v3_end(conn, row_id, outcome, aired, **fields):
    assignments = ", ".join(f"{name} = ?" for name in ("outcome", "aired_seconds", *fields))
    conn.execute(
        f"UPDATE attempts SET {assignments} WHERE id = ?",
        (outcome, aired, *fields.values(), row_id),
    )
    v3_event(conn, row_id, "end")


def write_v3_log(path):
    """Rows of every kind version 3 wrote: before and with the version-2 fields, a missed one,
    and one a crash left open (closed by the next start)."""
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for statement in (s for step in MIGRATIONS[:3] for s in step):
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 3")
        at = "2026-03-02T06:00:01.000+07:00"
        plain = v3_start(conn, "to-1", "Tin sáng", at, planned_seconds=60.0)
        bulletin = v3_start(conn, "to-2", "Báo cháy", at, bulletin_id="b-1")
        v3_end(conn, plain, "played", 60.0, ended_at=at)
        v3_end(conn, bulletin, "played", 30.0, output="USB Audio, kênh 2", ended_at=at)
        missed = v3_start(conn, "to-3", "Tin sáng", None)
        v3_end(conn, missed, "missed", 0.0, reason="daemon_down")
        v3_start(conn, "to-1", "Tin trưa", at, started_output="USB Audio, kênh 1")


def test_a_version_3_log_migrates_and_still_verifies(paths):
    path = database_path(paths)
    write_v3_log(path)
    with PlayLog.open_for_reading(paths) as reader:  # migrated, the open row left alone
        assert reader.verify().ok

    with PlayLog.open(paths) as log:  # the daemon's start closes the open row
        assert log.verify().ok
        rows = sorted(log.attempts(), key=lambda row: row.id)
        assert [row.outcome for row in rows] == [
            Outcome.PLAYED,
            Outcome.PLAYED,
            Outcome.MISSED,
            Outcome.INTERRUPTED,
        ]
        assert all(row.underruns is None for row in rows)  # not known then
        assert all(row.airing.resumed_from_seconds is None for row in rows)

        at = datetime(2026, 3, 2, 7, 0, tzinfo=WARD_TIMEZONE)
        rest = Airing("to-1", at, "Tin sáng", resumed_from_seconds=41.5)
        attempt_id = log.start_attempt(rest, at)
        log.finish_attempt(attempt_id, Outcome.RESUMED, ended_at=at, aired_seconds=18.5)
        assert log.verify().ok
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        conn.execute("UPDATE attempts SET output = 'khác' WHERE id = 2")
        conn.commit()
    with PlayLog.open_for_reading(paths) as reader:  # a version-3 row is still protected
        assert reader.verify().problem.attempt_id == 2
