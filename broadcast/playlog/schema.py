"""The log's tables and their versions: ``PRAGMA user_version`` plus one function per step.

A later issue that needs a column appends a function to ``MIGRATIONS``; ``migrate`` runs the
missing steps in one transaction each, so a database is always at a version this code knows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

GENESIS_HASH = "0" * 64

# The hash chain covers these columns: the ones fixed when playback starts…
START_FIELDS = (
    "id",
    "slot_id",
    "program",
    "script_id",
    "title",
    "topic",
    "audio_hash",
    "engine",
    "voice",
    "zone",
    "scheduled_at",
    "started_at",
    "planned_seconds",
)
# …and the ones filled in when it ends.
END_FIELDS = ("ended_at", "aired_seconds", "outcome", "reason", "error")
CHAINED_FIELDS = START_FIELDS + END_FIELDS


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of this program."""


_V1_STATEMENTS = (
    """CREATE TABLE attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        slot_id TEXT,
        program TEXT,
        script_id TEXT,
        title TEXT NOT NULL,
        topic TEXT,
        audio_hash TEXT,
        engine TEXT,
        voice TEXT,
        zone TEXT NOT NULL,
        scheduled_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        planned_seconds REAL,
        aired_seconds REAL,
        outcome TEXT CHECK (outcome IN
            ('played', 'partial', 'preempted', 'resumed', 'missed', 'failed', 'interrupted')),
        reason TEXT,
        error TEXT,
        -- heartbeat while playing; not chained (it changes every few seconds) and
        -- superseded by aired_seconds once the attempt ends
        progress_seconds REAL,
        progress_at TEXT,
        start_seq INTEGER NOT NULL UNIQUE,
        start_hash TEXT NOT NULL,
        end_seq INTEGER UNIQUE,
        end_hash TEXT,
        occurred_at TEXT GENERATED ALWAYS AS (COALESCE(started_at, scheduled_at)) VIRTUAL
    )""",
    "CREATE INDEX attempts_occurred ON attempts (occurred_at)",
    "CREATE INDEX attempts_script ON attempts (script_id, occurred_at)",
    "CREATE INDEX attempts_open ON attempts (id) WHERE end_seq IS NULL",
    """CREATE TABLE chain_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
    )""",
    f"INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '{GENESIS_HASH}')",
)


def _create_v1(conn: sqlite3.Connection) -> None:
    # One statement at a time: ``executescript`` would commit the migration's transaction.
    for statement in _V1_STATEMENTS:
        conn.execute(statement)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_create_v1,)
LATEST_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to ``LATEST_VERSION``; returns the version it was at before."""
    found = schema_version(conn)
    if found > LATEST_VERSION:
        raise SchemaTooNew(
            f"cơ sở dữ liệu nhật ký ở phiên bản {found}, chương trình này chỉ đọc được "
            f"đến phiên bản {LATEST_VERSION}; hãy cập nhật chương trình"
        )
    version = found
    while version < LATEST_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the write lock: the daemon and a command may open a new
            # database at the same moment, and only one of them may create it.
            version = schema_version(conn)
            if version < LATEST_VERSION:
                MIGRATIONS[version](conn)
                version += 1
                conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return found
