"""``PlayLog``: the one owner of the SQLite database in ``paths.data_dir``.

The daemon calls ``start_attempt`` when a zone starts playing, ``progress`` now and then, and
``finish_attempt`` when it stops; ``record_missed`` covers items that never started. Every
write is its own ``BEGIN IMMEDIATE`` transaction in WAL mode with ``synchronous=FULL``, so a
committed row survives a crash or power cut, and a crash can only leave an *open* row, which
``PlayLog.open`` (the daemon's start) closes as ``interrupted`` with how far it got. A write
the storage refuses (a full disk) waits in memory and is written once it takes writes again
(``pending``); the air never waits for the log. A file that is not this program's log gives
``PlayLogUnreadable`` with a verdict in Vietnamese, never an SQLite traceback.

Times are stored as ISO 8601 text with the ward's offset, milliseconds always written, so text
order is time order (Vietnam has kept +07:00 since 1975) and SQL range filters stay simple.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcast.config import DEFAULT_TIMEZONE
from broadcast.paths import ProjectPaths
from broadcast.playlog.approvals import ApprovalRecords
from broadcast.playlog.chain import VerifyResult, verify_chain
from broadcast.playlog.faults import damaged_pages, sqlite_unreadable, unreadable
from broadcast.playlog.model import (
    COMPLETED_OUTCOMES,
    Airing,
    Attempt,
    Outcome,
    Reason,
)
from broadcast.playlog.pending import PendingWrites
from broadcast.playlog.records import PlayRecords
from broadcast.playlog.remote import RemoteRows
from broadcast.playlog.rows import ATTEMPT_COLUMNS, attempt_from_row
from broadcast.playlog.schema import GENESIS_HASH, migrate, schema_problem

DATABASE_NAME = "playlog.sqlite3"
WARD_TIMEZONE = ZoneInfo(DEFAULT_TIMEZONE)
CRASH_ERROR = "chương trình phát dừng đột ngột khi đang phát"

_COMPLETED_SQL = ", ".join(f"'{o.value}'" for o in sorted(COMPLETED_OUTCOMES))


def database_path(paths: ProjectPaths) -> Path:
    return paths.data_dir / DATABASE_NAME


class PlayLog(RemoteRows, PlayRecords, ApprovalRecords):
    """The play log; implements ``broadcast.schedule.history.AiringHistory``."""

    def __init__(self, conn: sqlite3.Connection, path: Path, timezone: tzinfo = WARD_TIMEZONE):
        self._conn = conn
        self._path = path
        self._timezone = timezone
        # The daemon uses one log from several scheduler threads: one statement or transaction
        # at a time on the shared connection (re-entrant: writes read the chain head).
        self._lock = threading.RLock()
        self._pending = PendingWrites(self._lock)

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
        """Open (creating if needed); ``PlayLogUnreadable`` if the file is not a log this
        program can read: garbage, a table dropped, a newer schema (``SchemaTooNew``)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:  # e.g. a folder it may not write in
            raise sqlite_unreadable(path, exc) from exc
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            migrate(conn)
            problem = schema_problem(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise sqlite_unreadable(path, exc) from exc
        except BaseException:
            conn.close()
            raise
        if problem is not None:
            conn.close()
            raise unreadable(path, problem)
        return cls(conn, path, timezone)

    @property
    def timezone(self) -> tzinfo:
        """The ward's time zone: stored times carry its offset."""
        return self._timezone

    def close(self) -> None:
        """Close, after a last try at the writes still waiting (what stays is lost)."""
        if not self._pending.catch_up():
            self._pending.abandon()
        self._conn.close()

    def catch_up(self) -> str | None:
        """Write what the storage refused before, if it takes it now (the daemon's heartbeat
        calls this); the technician's alarm while writes still wait or were lost, else
        ``None``."""
        self._pending.catch_up()
        return self._pending.alarm()

    @property
    def writes_waiting(self) -> int:
        """Writes kept in memory because the storage refused them."""
        return self._pending.waiting

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

        def write() -> int:
            with self._write():
                return self._insert(airing, started_at, output=output, to_file=to_file)

        return self._pending.new_row(write)

    def progress(self, attempt_id: int, aired_seconds: float, at: datetime) -> None:
        """Heartbeat while playing, so a crash still tells how far the attempt got; skipped
        while the storage refuses writes (the next one, or the row's end, supersedes it)."""
        stamp = self._stamp(at)

        def write(real_id: int) -> None:
            self._conn.execute(
                "UPDATE attempts SET progress_seconds = ?, progress_at = ? "
                "WHERE id = ? AND end_seq IS NULL",
                (float(aired_seconds), stamp, real_id),
            )

        self._pending.on_row(attempt_id, write, keep=False)

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
        stamp = self._stamp(ended_at)

        def write(real_id: int) -> None:
            with self._write():
                self._complete(
                    real_id,
                    Outcome(outcome),
                    stamp,
                    aired_seconds,
                    reason,
                    error,
                    output,
                    to_file,
                    underruns,
                )

        self._pending.on_row(attempt_id, write)

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

        def write() -> int:
            with self._write():
                attempt_id = self._insert(airing, None)
                self._complete(attempt_id, Outcome(outcome), None, 0.0, reason, error)
                return attempt_id

        return self._pending.new_row(write)

    def repair_interrupted(self) -> list[int]:
        """Close rows left open by a crash as ``interrupted``; returns their ids (none while
        the storage refuses writes: they are closed once it takes them). A row keeps where it
        began (``resumed_from``); its underruns died with the sink and stay unknown."""

        def write() -> list[int]:
            with self._write():
                rows = self._conn.execute(
                    "SELECT id, started_at, progress_seconds, progress_at, started_output, "
                    "started_to_file FROM attempts WHERE end_seq IS NULL ORDER BY id"
                ).fetchall()
                for attempt_id, started_at, progress, progress_at, output, to_file in rows:
                    self._complete(
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

        return self._pending.write(write, [])

    # -- reading -----------------------------------------------------------------------

    def attempts(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        zone: str | None = None,
        topic: str | None = None,
        outcome: Outcome | None = None,
        zones: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Attempt]:
        """Rows that happened in ``[since, until)``, oldest first, optionally filtered (one
        ``zone`` or any of ``zones``); ``limit``/``offset``: one page of them."""
        where, params = self._attempt_filter(since, until, zone, topic, outcome, zones)
        sql = f"SELECT {', '.join(ATTEMPT_COLUMNS)} FROM attempts {where} ORDER BY occurred_at, id"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        with self._reading():
            rows = self._conn.execute(sql, params).fetchall()
        return [attempt_from_row(row) for row in rows]

    def attempts_from(self, first_id: int) -> list[Attempt]:
        """Rows numbered ``first_id`` or later, in id order: ids only grow, so a reader that
        keeps its place reads only what was written since (the receiver's uplink)."""
        sql = f"SELECT {', '.join(ATTEMPT_COLUMNS)} FROM attempts WHERE id >= ? ORDER BY id"
        with self._reading():
            rows = self._conn.execute(sql, (first_id,)).fetchall()
        return [attempt_from_row(row) for row in rows]

    def count_attempts(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        topic: str | None = None,
        outcome: Outcome | None = None,
        zones: Sequence[str] | None = None,
    ) -> int:
        """How many rows ``attempts`` with the same filters returns."""
        where, params = self._attempt_filter(since, until, None, topic, outcome, zones)
        with self._reading():
            return int(
                self._conn.execute(f"SELECT COUNT(*) FROM attempts {where}", params).fetchone()[0]
            )

    def _attempt_filter(
        self,
        since: datetime | None,
        until: datetime | None,
        zone: str | None,
        topic: str | None,
        outcome: Outcome | None,
        zones: Sequence[str] | None,
    ) -> tuple[str, list[object]]:
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
        if zones is not None:
            clauses.append(f"zone IN ({', '.join('?' for _ in zones)})" if zones else "0")
            params.extend(zones)
        return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params

    def last_aired(
        self, script_id: str, zone: str | None = None, *, before: datetime | None = None
    ) -> datetime | None:
        """``AiringHistory``: start of the latest completed airing (on ``zone``, or any).

        ``before`` looks back from a past moment, e.g. to plan a day again as it was planned.
        """
        where, params = self._aired_filter(script_id, before)
        if zone is not None:
            where += " AND zone = ?"
            params.append(zone)
        with self._reading():
            found = self._conn.execute(
                f"SELECT MAX(started_at) FROM attempts {where}", params
            ).fetchone()[0]
        return datetime.fromisoformat(found) if found else None

    def last_aired_by_zone(
        self, script_id: str, *, before: datetime | None = None
    ) -> dict[str, datetime]:
        """``ZoneHistory``: ``last_aired(script_id, zone, before=before)`` for every zone that
        heard the script, in one query (the planner asks it of every script)."""
        where, params = self._aired_filter(script_id, before)
        with self._reading():
            rows = self._conn.execute(
                f"SELECT zone, MAX(started_at) FROM attempts {where} GROUP BY zone", params
            ).fetchall()
        return {zone: datetime.fromisoformat(at) for zone, at in rows if zone is not None and at}

    def _aired_filter(self, script_id: str, before: datetime | None) -> tuple[str, list[object]]:
        """The completed airings of ``script_id`` (started before ``before``), as SQL."""
        where = f"WHERE script_id = ? AND outcome IN ({_COMPLETED_SQL})"
        params: list[object] = [script_id]
        if before is not None:
            where += " AND started_at < ?"
            params.append(self._stamp(before))
        return where, params

    def count_aired(self, script_id: str, start: datetime, end: datetime) -> int:
        """``AiringHistory``: completed broadcasts starting in ``[start, end)``, any zone.

        One broadcast reaches several zones (one row each) and a preempted item may be
        resumed (a second row): all share the scheduled time, which is what is counted.
        """
        with self._reading():
            return self._conn.execute(
                f"SELECT COUNT(DISTINCT scheduled_at) FROM attempts WHERE script_id = ? "
                f"AND outcome IN ({_COMPLETED_SQL}) AND occurred_at >= ? AND occurred_at < ?",
                (script_id, self._stamp(start), self._stamp(end)),
            ).fetchone()[0]

    def first_logged(self) -> dict[str, datetime]:
        """Each script's earliest scheduled time in the log, whatever the outcome: the daemon
        had it in its folder by then."""
        with self._reading():
            rows = self._conn.execute(
                "SELECT script_id, MIN(scheduled_at) FROM attempts "
                "WHERE script_id IS NOT NULL GROUP BY script_id"
            ).fetchall()
        return {script_id: datetime.fromisoformat(first) for script_id, first in rows}

    def chain_head(self) -> tuple[int, str]:
        """Number of chained events and the last hash: what a report prints as its anchor."""
        with self._reading():
            return self._head()

    def check_pages(self) -> None:
        """``PlayLogUnreadable`` if SQLite finds a page of the file damaged; reads it all."""
        with self._reading():
            damage = damaged_pages(self._conn)
        if damage is not None:
            raise unreadable(self._path, damage)

    def verify(self) -> VerifyResult:
        """Check the whole chain in one snapshot; names the first row changed or removed."""
        with self._reading():
            self._conn.execute("BEGIN")
            try:
                return verify_chain(self._conn)
            finally:
                self._conn.execute("COMMIT")

    def event_with_hash(self, digest: str) -> int | None:
        """The number of the event that carries ``digest`` (0 for the empty log's), ``None``
        if none does: a head recorded earlier (a report's anchor) must still be found."""
        if digest == GENESIS_HASH:
            return 0
        with self._reading():
            found = self._conn.execute(
                "SELECT start_seq FROM attempts WHERE start_hash = ? "
                "UNION ALL SELECT end_seq FROM attempts WHERE end_hash = ? "
                "UNION ALL SELECT seq FROM approval_events WHERE hash = ?",
                (digest, digest, digest),
            ).fetchone()
        return None if found is None else int(found[0])

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
                self._conn.execute("COMMIT")  # a full disk may refuse the commit itself
            except BaseException:
                if self._conn.in_transaction:  # SQLite rolls back by itself on some errors
                    self._conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """A read: a file damaged under the program gives its verdict, not SQLite's error."""
        with self._lock:
            try:
                yield
            except sqlite3.DatabaseError as exc:
                raise sqlite_unreadable(self._path, exc) from exc
