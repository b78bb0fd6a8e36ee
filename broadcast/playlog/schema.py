"""The log's tables and their versions: ``PRAGMA user_version`` plus one function per step.

A later issue that needs a column appends its statements to ``MIGRATIONS``; ``migrate`` runs the
missing steps in one transaction each, so a database is always at a version this code knows.
"""

from __future__ import annotations

import sqlite3

from broadcast.playlog.faults import PlayLogUnreadable

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
# Fields added later, one (start fields, end fields) group per version, in the order they are
# hashed. Rows written before a group existed have NULL in all of it, and a hash covers a group
# only when it or a later one has a value (``chain.event_hash``), so an older chain verifies.
START_FIELDS_V2 = ("bulletin_id",)
END_FIELDS_V2 = ("output", "to_file")
START_FIELDS_V4 = ("resumed_from",)
END_FIELDS_V4 = ("underruns",)
START_FIELDS_V6 = ("approval_id",)
# a row an IP cluster played and reported: which cluster, and the row's id in its own log
START_FIELDS_V7 = ("cluster_id", "cluster_row")
ADDED_FIELDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (START_FIELDS_V2, END_FIELDS_V2),
    (START_FIELDS_V4, END_FIELDS_V4),
    (START_FIELDS_V6, ()),
    (START_FIELDS_V7, ()),
)
CHAINED_FIELDS = (
    START_FIELDS + END_FIELDS + tuple(name for start, end in ADDED_FIELDS for name in start + end)
)


class SchemaTooNew(PlayLogUnreadable):
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


_V2_STATEMENTS = (
    # one announcement is one broadcast on all its zones: its rows share the bulletin's id
    "ALTER TABLE attempts ADD COLUMN bulletin_id TEXT",
    # what the sound really went to: a device (and channels), or the path of a WAV file
    "ALTER TABLE attempts ADD COLUMN output TEXT",
    "ALTER TABLE attempts ADD COLUMN to_file INTEGER CHECK (to_file IN (0, 1))",
    """CREATE TABLE bulletins (
        id TEXT PRIMARY KEY,
        priority TEXT NOT NULL,
        sender TEXT,
        requested_at TEXT NOT NULL,
        zones TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT,
        file TEXT
    )""",
    # the plan of each airing as it started: a restart never plans a started airing again
    """CREATE TABLE aired_plans (
        item_id TEXT PRIMARY KEY,
        slot_id TEXT NOT NULL,
        start TEXT NOT NULL,
        plan TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    )""",
    "CREATE INDEX aired_plans_start ON aired_plans (start)",
    # when the daemon first saw each script: what could have been planned at a given moment
    """CREATE TABLE script_arrivals (
        script_id TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL
    )""",
)


_V3_STATEMENTS = (
    # Where a play's sound went, as known when it started; not chained (the chained ``output``
    # and ``to_file`` are written when it ends). A row a crash left open is closed with them,
    # so a cut play written to a WAV file is never counted as heard.
    "ALTER TABLE attempts ADD COLUMN started_output TEXT",
    "ALTER TABLE attempts ADD COLUMN started_to_file INTEGER CHECK (started_to_file IN (0, 1))",
)


_V4_STATEMENTS = (
    # seconds into the item's audio where this play began: NULL from the beginning, set for
    # the rest of an item cut by a bulletin or a restart
    "ALTER TABLE attempts ADD COLUMN resumed_from REAL CHECK (resumed_from >= 0)",
    # times the device ran dry during this play (each a gap a listener heard): 0 for a play
    # whose sink reported none, NULL when unknown (never played, or closed after a crash)
    "ALTER TABLE attempts ADD COLUMN underruns INTEGER CHECK (underruns >= 0)",
)


_V5_STATEMENTS = (
    # the id the client chose for an announce request, kept across its retries: a retry that
    # comes after a restart finds the bulletin and does not air it a second time
    "ALTER TABLE bulletins ADD COLUMN request_id TEXT",
    "CREATE UNIQUE INDEX bulletins_request ON bulletins (request_id) WHERE request_id IS NOT NULL",
)


# An approval event is one event of the chain, hashed whole when it is written (it never
# changes after): these columns, in this order.
APPROVAL_FIELDS = (
    "id",
    "kind",
    "script_id",
    "at",
    "by_name",
    "os_user",
    "origin",
    "content_sha256",
    "text_sha256",
    "recording_sha256",
    "airing",
    "audio_sha256",
    "comment",
)

_V6_STATEMENTS = (
    # the editorial approval chain: approvals, revocations and listens, in the same hash
    # chain as the plays (``seq`` numbers them among the attempts' events)
    """CREATE TABLE approval_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('approved', 'revoked', 'listened')),
        script_id TEXT NOT NULL,
        at TEXT NOT NULL,
        by_name TEXT NOT NULL,
        os_user TEXT,
        origin TEXT,
        content_sha256 TEXT,
        text_sha256 TEXT,
        recording_sha256 TEXT,
        airing TEXT,
        audio_sha256 TEXT,
        comment TEXT,
        seq INTEGER NOT NULL UNIQUE,
        hash TEXT NOT NULL
    )""",
    "CREATE INDEX approval_events_script ON approval_events (script_id, id)",
    # the approval a play aired under (``approval_events.id``); NULL for a bulletin, media, or
    # a ward that does not require approval
    "ALTER TABLE attempts ADD COLUMN approval_id INTEGER",
    # where an announcement came from (the command line on which PC, later the web console)
    "ALTER TABLE bulletins ADD COLUMN origin TEXT",
)


_V7_STATEMENTS = (
    # rows an IP loudspeaker cluster played and uploaded (``playlog.remote``): the cluster's id
    # and the row's id in the cluster's own log, NULL for the station's own rows. Unique per
    # cluster, so a row the cluster sends again is stored once.
    "ALTER TABLE attempts ADD COLUMN cluster_id TEXT",
    "ALTER TABLE attempts ADD COLUMN cluster_row INTEGER CHECK (cluster_row > 0)",
    "CREATE UNIQUE INDEX attempts_cluster_row ON attempts (cluster_id, cluster_row) "
    "WHERE cluster_id IS NOT NULL",
)


# One step per version: the statements that bring the version before to it.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    _V1_STATEMENTS,
    _V2_STATEMENTS,
    _V3_STATEMENTS,
    _V4_STATEMENTS,
    _V5_STATEMENTS,
    _V6_STATEMENTS,
    _V7_STATEMENTS,
)
LATEST_VERSION = len(MIGRATIONS)
TABLES = (
    "attempts",
    "chain_head",
    "bulletins",
    "aired_plans",
    "script_arrivals",
    "approval_events",
)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def schema_problem(conn: sqlite3.Connection) -> str | None:
    """What is missing from a log at ``LATEST_VERSION`` (a table dropped, the chain's head
    row deleted), in Vietnamese; ``None`` when it is whole."""
    found = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [table for table in TABLES if table not in found]
    if missing:
        return f"thiếu bảng {', '.join(missing)} (đã bị xoá?)"
    if conn.execute("SELECT 1 FROM chain_head WHERE id = 1").fetchone() is None:
        return "mất dòng đầu chuỗi kiểm tra (bảng chain_head trống)"
    return None


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
                # One statement at a time: ``executescript`` would commit the transaction.
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                version += 1
                conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite rolls back by itself on some errors
                conn.execute("ROLLBACK")
            raise
    return found
