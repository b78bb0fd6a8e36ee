"""``PlayLog``: the one owner of the SQLite database in ``paths.data_dir``.

The daemon calls ``start_attempt`` when a zone starts playing, ``progress`` now and then, and
``finish_attempt`` when it stops; ``record_missed`` covers items that never started. Every
write is its own ``BEGIN IMMEDIATE`` transaction in WAL mode with ``synchronous=FULL``, so a
committed row survives a crash or power cut, and a crash can only leave an *open* row, which
``PlayLog.open`` (the daemon's start) closes as ``interrupted`` with how far it got.

Times are stored as ISO 8601 text with the ward's offset, milliseconds always written, so text
order is time order (Vietnam has kept +07:00 since 1975) and SQL range filters stay simple.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcast.config import DEFAULT_TIMEZONE
from broadcast.paths import ProjectPaths
from broadcast.playlog.chain import END, START, VerifyResult, event_hash, verify_chain
from broadcast.playlog.model import (
    COMPLETED_OUTCOMES,
    Airing,
    Attempt,
    Outcome,
    Reason,
)
from broadcast.playlog.records import PlayRecords
from broadcast.playlog.rows import ATTEMPT_COLUMNS, attempt_from_row, clean_text
from broadcast.playlog.schema import CHAINED_FIELDS, migrate

DATABASE_NAME = "playlog.sqlite3"
WARD_TIMEZONE = ZoneInfo(DEFAULT_TIMEZONE)
CRASH_ERROR = "chương trình phát dừng đột ngột khi đang phát"

_COMPLETED_SQL = ", ".join(f"'{o.value}'" for o in sorted(COMPLETED_OUTCOMES))


def database_path(paths: ProjectPaths) -> Path:
    return paths.data_dir / DATABASE_NAME


def _seconds(value: float | None) -> float | None:
    return None if value is None else float(value)


class PlayLog(PlayRecords):
    """The play log; implements ``broadcast.schedule.history.AiringHistory``."""

    def __init__(self, conn: sqlite3.Connection, timezone: tzinfo = WARD_TIMEZONE):
        self._conn = conn
        self._timezone = timezone
        # The daemon uses one log from several scheduler threads: one statement or transaction
        # at a time on the shared connection (re-entrant: writes read the chain head).
        self._lock = threading.RLock()

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, paths: ProjectPaths, *, timezone: tzinfo = WARD_TIMEZONE) -> PlayLog:
        """The daemon's start: open (creating if needed) and close rows a crash left open."""
        log = cls.open_for_reading(paths, timezone=timezone)
        log.repair_interrupted()
        return log

    @classmethod
    def open_for_reading(cls, paths: ProjectPaths, *, timezone: tzinfo = WARD_TIMEZONE) -> PlayLog:
        """For commands run beside a live daemon: never touches rows it may be playing."""
        return cls.open_file(database_path(paths), timezone=timezone)

    @classmethod
    def open_file(cls, path: Path, *, timezone: tzinfo = WARD_TIMEZONE) -> PlayLog:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        migrate(conn)
        return cls(conn, timezone)

    @property
    def timezone(self) -> tzinfo:
        """The ward's time zone: stored times carry its offset."""
        return self._timezone

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> PlayLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- writing (the daemon) ----------------------------------------------------------

    def start_attempt(
        self,
        airing: Airing,
        started_at: datetime,
        *,
        output: str | None = None,
        to_file: bool = False,
    ) -> int:
        """Playback of ``airing`` started; returns the attempt id for the calls that follow.
        ``output``/``to_file``: where its sound goes, kept for a row a crash leaves open."""
        with self._write():
            attempt_id = self._insert(airing, started_at)
            self._conn.execute(
                "UPDATE attempts SET started_output = ?, started_to_file = ? WHERE id = ?",
                (clean_text(output), 1 if to_file else None, attempt_id),
            )
            return attempt_id

    def progress(self, attempt_id: int, aired_seconds: float, at: datetime) -> None:
        """Heartbeat while playing, so a crash still tells how far the attempt got."""
        with self._lock:
            self._conn.execute(
                "UPDATE attempts SET progress_seconds = ?, progress_at = ? "
                "WHERE id = ? AND end_seq IS NULL",
                (float(aired_seconds), self._stamp(at), attempt_id),
            )

    def finish_attempt(
        self,
        attempt_id: int,
        outcome: Outcome,
        *,
        ended_at: datetime,
        aired_seconds: float,
        reason: str | None = None,
        error: str | None = None,
        output: str | None = None,
        to_file: bool = False,
        underruns: int | None = None,
    ) -> None:
        """Playback ended; the row is completed once and never changes again. ``output``: the
        device (and channels) or WAV file the sound really went to (``to_file`` for a file).
        ``underruns``: times the device ran dry during the play, as the sink counted them (0
        for none; ``None`` only when not known)."""
        with self._write():
            self._complete(
                attempt_id,
                Outcome(outcome),
                ended_at,
                aired_seconds,
                reason,
                error,
                output=output,
                to_file=to_file,
                underruns=underruns,
            )

    def record_missed(
        self,
        airing: Airing,
        reason: str,
        *,
        error: str | None = None,
        outcome: Outcome = Outcome.MISSED,
    ) -> int:
        """An item that never started on its zone: ``missed``, or ``failed`` (no audio …)."""
        if Outcome(outcome) not in (Outcome.MISSED, Outcome.FAILED):
            raise ValueError(f"record_missed takes missed or failed, not {outcome}")
        with self._write():
            attempt_id = self._insert(airing, None)
            self._complete(attempt_id, Outcome(outcome), None, 0.0, reason, error)
            return attempt_id

    def repair_interrupted(self) -> list[int]:
        """Close rows left open by a crash as ``interrupted``; returns their ids. A row keeps
        where it began (``resumed_from``); its underruns died with the sink and stay unknown."""
        with self._write():
            rows = self._conn.execute(
                "SELECT id, started_at, progress_seconds, progress_at, started_output, "
                "started_to_file FROM attempts WHERE end_seq IS NULL ORDER BY id"
            ).fetchall()
            for attempt_id, started_at, progress, progress_at, output, to_file in rows:
                self._complete_stamped(
                    attempt_id,
                    Outcome.INTERRUPTED,
                    progress_at or started_at,
                    progress or 0.0,
                    Reason.DAEMON_DOWN,
                    CRASH_ERROR,
                    output,
                    bool(to_file),
                )
        return [row[0] for row in rows]

    # -- reading -----------------------------------------------------------------------

    def attempts(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        zone: str | None = None,
        topic: str | None = None,
        outcome: Outcome | None = None,
    ) -> list[Attempt]:
        """Rows that happened in ``[since, until)``, oldest first, optionally filtered."""
        clauses: list[str] = []
        params: list[object] = []
        for clause, value in (
            ("occurred_at >= ?", since and self._stamp(since)),
            ("occurred_at < ?", until and self._stamp(until)),
            ("zone = ?", zone),
            ("topic = ?", topic),
            ("outcome = ?", outcome and Outcome(outcome).value),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT {', '.join(ATTEMPT_COLUMNS)} FROM attempts {where} ORDER BY occurred_at, id"
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [attempt_from_row(row) for row in rows]

    def last_aired(
        self, script_id: str, zone: str | None = None, *, before: datetime | None = None
    ) -> datetime | None:
        """``AiringHistory``: start of the latest completed airing (on ``zone``, or any).

        ``before`` looks back from a past moment, e.g. to plan a day again as it was planned.
        """
        sql = (
            f"SELECT MAX(started_at) FROM attempts "
            f"WHERE script_id = ? AND outcome IN ({_COMPLETED_SQL})"
        )
        params: list[object] = [script_id]
        if zone is not None:
            sql += " AND zone = ?"
            params.append(zone)
        if before is not None:
            sql += " AND started_at < ?"
            params.append(self._stamp(before))
        with self._lock:
            found = self._conn.execute(sql, params).fetchone()[0]
        return datetime.fromisoformat(found) if found else None

    def count_aired(self, script_id: str, start: datetime, end: datetime) -> int:
        """``AiringHistory``: completed broadcasts starting in ``[start, end)``, any zone.

        One broadcast reaches several zones (one row each) and a preempted item may be
        resumed (a second row): all share the scheduled time, which is what is counted.
        """
        with self._lock:
            return self._conn.execute(
                f"SELECT COUNT(DISTINCT scheduled_at) FROM attempts WHERE script_id = ? "
                f"AND outcome IN ({_COMPLETED_SQL}) AND occurred_at >= ? AND occurred_at < ?",
                (script_id, self._stamp(start), self._stamp(end)),
            ).fetchone()[0]

    def first_logged(self) -> dict[str, datetime]:
        """Each script's earliest scheduled time in the log, whatever the outcome: the daemon
        had it in its folder by then."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT script_id, MIN(scheduled_at) FROM attempts "
                "WHERE script_id IS NOT NULL GROUP BY script_id"
            ).fetchall()
        return {script_id: datetime.fromisoformat(first) for script_id, first in rows}

    def chain_head(self) -> tuple[int, str]:
        """Number of chained events and the last hash: what a report prints as its anchor."""
        with self._lock:
            row = self._conn.execute("SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()
        return int(row[0]), str(row[1])

    def verify(self) -> VerifyResult:
        """Check the whole chain in one snapshot; names the first row changed or removed."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                return verify_chain(self._conn)
            finally:
                self._conn.execute("COMMIT")

    # -- internals ---------------------------------------------------------------------

    def _stamp(self, moment: datetime) -> str:
        if moment.tzinfo is None:
            raise ValueError("the play log needs aware datetimes")
        return moment.astimezone(self._timezone).isoformat(timespec="milliseconds")

    @contextmanager
    def _write(self) -> Iterator[None]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _append_event(self, attempt_id: int, kind: str) -> None:
        """Chain one event of ``attempt_id``; the hash is taken over the row as stored."""
        seq, prev_hash = self.chain_head()
        seq += 1
        seq_column, hash_column = (
            ("start_seq", "start_hash") if kind == START else ("end_seq", "end_hash")
        )
        self._conn.execute(f"UPDATE attempts SET {seq_column} = ? WHERE id = ?", (seq, attempt_id))
        chained = self._conn.execute(
            f"SELECT {', '.join(CHAINED_FIELDS)} FROM attempts WHERE id = ?", (attempt_id,)
        ).fetchone()
        digest = event_hash(prev_hash, seq, kind, chained)
        self._conn.execute(
            f"UPDATE attempts SET {hash_column} = ? WHERE id = ?", (digest, attempt_id)
        )
        self._conn.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (seq, digest))

    def _insert(self, airing: Airing, started_at: datetime | None) -> int:
        cursor = self._conn.execute(
            "INSERT INTO attempts (slot_id, program, script_id, title, topic, audio_hash, "
            "engine, voice, zone, scheduled_at, started_at, planned_seconds, bulletin_id, "
            "resumed_from, start_seq, start_hash) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT seq + 1 FROM chain_head), '')",
            (
                clean_text(airing.slot_id),
                clean_text(airing.program),
                clean_text(airing.script_id),
                clean_text(airing.title),
                clean_text(airing.topic),
                airing.audio_hash,
                clean_text(airing.engine),
                clean_text(airing.voice),
                clean_text(airing.zone),
                self._stamp(airing.scheduled_at),
                None if started_at is None else self._stamp(started_at),
                _seconds(airing.planned_seconds),
                clean_text(airing.bulletin_id),
                _seconds(airing.resumed_from_seconds),
            ),
        )
        attempt_id = cursor.lastrowid
        if attempt_id is None:  # sqlite3 sets it after every INSERT that adds a row
            raise RuntimeError("the play log did not number the new attempt")
        self._append_event(attempt_id, START)
        return attempt_id

    def _complete(
        self,
        attempt_id: int,
        outcome: Outcome,
        ended_at: datetime | None,
        aired_seconds: float,
        reason: str | None,
        error: str | None,
        *,
        output: str | None = None,
        to_file: bool = False,
        underruns: int | None = None,
    ) -> None:
        stamp = None if ended_at is None else self._stamp(ended_at)
        self._complete_stamped(
            attempt_id, outcome, stamp, aired_seconds, reason, error, output, to_file, underruns
        )

    def _complete_stamped(
        self,
        attempt_id: int,
        outcome: Outcome,
        ended_at: str | None,
        aired_seconds: float,
        reason: str | None,
        error: str | None,
        output: str | None = None,
        to_file: bool = False,
        underruns: int | None = None,
    ) -> None:
        cursor = self._conn.execute(
            "UPDATE attempts SET ended_at = ?, aired_seconds = ?, outcome = ?, reason = ?, "
            "error = ?, output = ?, to_file = ?, underruns = ? WHERE id = ? AND end_seq IS NULL",
            (
                ended_at,
                float(aired_seconds),
                outcome.value,
                reason,
                clean_text(error),
                clean_text(output),
                1 if to_file else None,  # NULL, not 0: an older row's hash stays as it was
                None if underruns is None else int(underruns),
                attempt_id,
            ),
        )
        if cursor.rowcount != 1:
            raise ValueError(f"attempt {attempt_id} does not exist or is already finished")
        self._append_event(attempt_id, END)
