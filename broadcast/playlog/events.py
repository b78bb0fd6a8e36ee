"""Part of ``PlayLog``: adding a row and completing it, each with its event in the hash chain.

Called inside the log's write transaction only; errors are SQLite's own, so the caller can
tell a refused write (``faults.storage_fault``) from a bug.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from broadcast.playlog.chain import END, START, event_hash
from broadcast.playlog.model import Airing, Outcome
from broadcast.playlog.rows import clean_text
from broadcast.playlog.schema import CHAINED_FIELDS

_CHAINED_ROW = f"SELECT {', '.join(CHAINED_FIELDS)} FROM attempts WHERE id = ?"


def _seconds(value: float | None) -> float | None:
    return None if value is None else float(value)


class ChainedRows:
    _conn: sqlite3.Connection

    def _stamp(self, moment: datetime) -> str:
        raise NotImplementedError

    def _head(self) -> tuple[int, str]:
        row = self._conn.execute("SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()
        return int(row[0]), str(row[1])

    def _append_event(self, attempt_id: int, kind: str) -> None:
        """Chain one event of ``attempt_id``; the hash is taken over the row as stored (its
        number is not one of the hashed fields: it is set with the hash, in one statement)."""
        seq, prev_hash = self._head()
        seq += 1
        seq_column, hash_column = (
            ("start_seq", "start_hash") if kind == START else ("end_seq", "end_hash")
        )
        chained = self._conn.execute(_CHAINED_ROW, (attempt_id,)).fetchone()
        digest = event_hash(prev_hash, seq, kind, chained)
        self._conn.execute(
            f"UPDATE attempts SET {seq_column} = ?, {hash_column} = ? WHERE id = ?",
            (seq, digest, attempt_id),
        )
        self._conn.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (seq, digest))

    def _insert(
        self,
        airing: Airing,
        started_at: datetime | None,
        *,
        cluster_id: str | None = None,
        cluster_row: int | None = None,
        output: str | None = None,
        to_file: bool = False,
    ) -> int:
        """``cluster_id``/``cluster_row``: a row an IP cluster played (``playlog.remote``);
        ``output``/``to_file``: where its sound goes, kept for a row a crash leaves open (not
        hashed: the row's end says where the sound really went)."""
        cursor = self._conn.execute(
            "INSERT INTO attempts (slot_id, program, script_id, title, topic, audio_hash, "
            "engine, voice, zone, scheduled_at, started_at, planned_seconds, bulletin_id, "
            "resumed_from, approval_id, cluster_id, cluster_row, started_output, "
            "started_to_file, start_seq, start_hash) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "(SELECT seq + 1 FROM chain_head), '')",
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
                airing.approval_id,
                cluster_id,
                cluster_row,
                clean_text(output),
                1 if to_file else None,
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
        ended_at: str | None,
        aired_seconds: float,
        reason: str | None,
        error: str | None,
        output: str | None = None,
        to_file: bool = False,
        underruns: int | None = None,
    ) -> None:
        """``ended_at`` as stored (``_stamp``): a crash's row is closed with its own text."""
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
