"""What a receiver keeps across restarts, beside its play log.

- the last accepted signed plan, as the bytes that arrived (``plan.signed``): at start it is
  checked again like a message from the broker, so a file edited on the box is refused too,
  and a restart with no broker plays on from it;
- the last accepted ``seq`` of each kind (a replayed old message stays refused after a
  restart) and the digest of the last accepted message of each kind (its exact repeat is
  dropped quietly), the plan entries already handled (a row written: never played twice, even when
  a power cut ended the play), and the play-log rows the station acknowledged (never sent
  again; the rows themselves stay in the log).

The plan file is written whole or not at all (``atomic_write``) before its ``seq`` is
committed; every other fact is one SQLite transaction, ``synchronous=FULL``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from broadcast.media.files import atomic_write

logger = logging.getLogger("broadcast.receiver")

STATE_NAME = "receiver.sqlite3"
PLAN_NAME = "plan.signed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seqs (kind TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS facts (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS handled (
    entry_id TEXT PRIMARY KEY, start TEXT NOT NULL, attempt_id INTEGER
);
CREATE TABLE IF NOT EXISTS acked (attempt_id INTEGER PRIMARY KEY);
"""
PLAN_ACCEPTED_AT = "plan_accepted_at"
ACCEPTED_DIGEST = "accepted_sha256:"  # + kind: the last accepted message's own


class ReceiverStore:
    def __init__(self, conn: sqlite3.Connection, folder: Path):
        self._conn = conn
        self.folder = folder
        self._lock = threading.Lock()  # the MQTT thread and the player's share it
        self.write_failed: str | None = None  # the last write the disk refused

    @classmethod
    def open(cls, folder: Path) -> ReceiverStore:
        folder.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(folder / STATE_NAME, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.executescript(_SCHEMA)
        return cls(conn, folder)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        """A write the disk may refuse (full): logged, and the receiver goes on with what it
        holds in memory; only a restart before the disk has room again forgets it."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                self.write_failed = f"{what}: {exc}"
                logger.error(
                    "không ghi được trạng thái của cụm loa (%s)", exc, extra={"event": "state_full"}
                )

    @property
    def plan_path(self) -> Path:
        return self.folder / PLAN_NAME

    # -- sequence numbers --------------------------------------------------------------

    def last_seq(self, kind: str) -> int:
        """The last ``seq`` of ``kind`` accepted (-1: none yet)."""
        with self._lock:
            row = self._conn.execute("SELECT seq FROM seqs WHERE kind = ?", (kind,)).fetchone()
        return -1 if row is None else int(row[0])

    def accept(
        self, kind: str, seq: int, digest: str | None = None, acked: Iterable[int] = ()
    ) -> None:
        """``seq`` of ``kind`` acted on: nothing at or below it is accepted again. ``digest``:
        the message's own (``accepted_digest``), and the rows an ``ack`` names (``acked``),
        kept in the same transaction (one commit on the box's card per ack, not two)."""
        with self._writing("seq"):
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute(
                "INSERT INTO seqs (kind, seq) VALUES (?, ?) "
                "ON CONFLICT(kind) DO UPDATE SET seq = MAX(seq, excluded.seq)",
                (kind, seq),
            )
            if digest is not None:
                self._conn.execute(
                    "INSERT OR REPLACE INTO facts (name, value) VALUES (?, ?)",
                    (ACCEPTED_DIGEST + kind, digest),
                )
            self._conn.executemany(
                "INSERT OR IGNORE INTO acked (attempt_id) VALUES (?)", [(int(i),) for i in acked]
            )
            self._conn.execute("COMMIT")

    def accepted_digest(self, kind: str) -> str | None:
        """The digest given with the last ``accept`` of ``kind``: a byte-identical repeat of
        that message (QoS 1 delivers at least once) is known again, even after a restart."""
        with self._lock:
            row = self._conn.execute(
                "SELECT value FROM facts WHERE name = ?", (ACCEPTED_DIGEST + kind,)
            ).fetchone()
        return None if row is None else str(row[0])

    # -- the plan ----------------------------------------------------------------------

    def save_plan(self, data: bytes, seq: int, accepted_at: datetime) -> None:
        """Keep the signed plan as it arrived; the file first, then its ``seq``: a crash
        between the two leaves a newer file, which the next start accepts."""
        with atomic_write(self.plan_path) as handle:
            handle.write(data)
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute(
                "INSERT INTO seqs (kind, seq) VALUES ('plan', ?) "
                "ON CONFLICT(kind) DO UPDATE SET seq = MAX(seq, excluded.seq)",
                (seq,),
            )
            self._conn.execute(
                "INSERT OR REPLACE INTO facts (name, value) VALUES (?, ?)",
                (PLAN_ACCEPTED_AT, accepted_at.isoformat()),
            )
            self._conn.execute("COMMIT")

    def saved_plan(self) -> bytes | None:
        """The signed plan kept on disk, unchecked (the caller checks it again)."""
        try:
            return self.plan_path.read_bytes()
        except FileNotFoundError:
            return None

    def plan_accepted_at(self) -> datetime | None:
        """When the plan kept on disk was accepted: entries after it were known in time."""
        with self._lock:
            row = self._conn.execute(
                "SELECT value FROM facts WHERE name = ?", (PLAN_ACCEPTED_AT,)
            ).fetchone()
        return None if row is None else datetime.fromisoformat(row[0])

    # -- entries handled ---------------------------------------------------------------

    def mark_handled(self, entry_id: str, start: datetime, attempt_id: int | None) -> None:
        with self._writing("handled"):
            self._conn.execute(
                "INSERT OR REPLACE INTO handled (entry_id, start, attempt_id) VALUES (?, ?, ?)",
                (entry_id, _utc(start), attempt_id),
            )

    def handled(self, entry_ids: Iterable[str]) -> set[str]:
        """Those of ``entry_ids`` already played, failed or missed."""
        wanted = list(entry_ids)
        found: set[str] = set()
        with self._lock:
            for first in range(0, len(wanted), 500):
                chunk = wanted[first : first + 500]
                marks = ", ".join("?" for _ in chunk)
                rows = self._conn.execute(
                    f"SELECT entry_id FROM handled WHERE entry_id IN ({marks})", chunk
                ).fetchall()
                found.update(row[0] for row in rows)
        return found

    def forget_handled(self, before: datetime) -> None:
        """Entries that started before ``before``: no plan names them any more."""
        with self._writing("forget"):
            self._conn.execute("DELETE FROM handled WHERE start < ?", (_utc(before),))

    # -- rows acknowledged by the station ----------------------------------------------

    def acked(self) -> set[int]:
        with self._lock:
            return {row[0] for row in self._conn.execute("SELECT attempt_id FROM acked")}


def _utc(moment: datetime) -> str:
    """One offset for every stored instant, so text order is time order."""
    return moment.astimezone(UTC).isoformat()
