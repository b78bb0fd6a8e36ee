"""The play log's records beside the attempts: announcements as sent, the plan of each airing
as it started, and when each script was first seen. Not hash-chained (the attempts are): an
attempt names its announcement, and a restart reads the plans to never plan an airing twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from broadcast.playlog.model import BulletinRecord
from broadcast.playlog.pending import PendingWrites
from broadcast.playlog.rows import clean_text
from broadcast.schedule.model import PlanItem


class PlayRecords:
    """Part of ``PlayLog``: its connection, write transaction, reads and time stamps."""

    _conn: sqlite3.Connection
    _pending: PendingWrites

    def _write(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _reading(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _stamp(self, moment: datetime) -> str:
        raise NotImplementedError

    def record_bulletin(self, bulletin: BulletinRecord) -> None:
        """An announcement as sent, before it airs: its rows name it by ``bulletin_id``."""
        values = (
            bulletin.id,
            bulletin.priority,
            clean_text(bulletin.sender),
            self._stamp(bulletin.requested_at),
            json.dumps(list(bulletin.zones), ensure_ascii=False),
            clean_text(bulletin.title),
            clean_text(bulletin.text),
            clean_text(bulletin.file),
            bulletin.request_id,
            clean_text(bulletin.origin),
        )

        def write() -> None:
            with self._write():
                self._conn.execute(
                    "INSERT OR IGNORE INTO bulletins (id, priority, sender, requested_at, "
                    "zones, title, text, file, request_id, origin) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )

        self._pending.write(write, None)

    def record_aired_plan(self, item: PlanItem, at: datetime) -> bool:
        """The plan of an airing as it starts; ``False`` if one was recorded before (the
        airing started before a restart: its first plan stands). ``True`` while the storage
        refuses writes: the plan is kept, and the first one recorded still stands."""
        values = (
            item.id,
            item.slot_id,
            self._stamp(item.start),
            json.dumps(item.to_record(), ensure_ascii=False),
            self._stamp(at),
        )

        def write() -> bool:
            with self._write():
                cursor = self._conn.execute(
                    "INSERT OR IGNORE INTO aired_plans (item_id, slot_id, start, plan, "
                    "recorded_at) VALUES (?, ?, ?, ?, ?)",
                    values,
                )
                return cursor.rowcount == 1

        return self._pending.write(write, True)

    def note_scripts_seen(self, arrivals: Mapping[str, datetime]) -> None:
        """When scripts were first in the folder; a script already noted keeps its time."""
        values = [(script_id, self._stamp(at)) for script_id, at in arrivals.items()]

        def write() -> None:
            with self._write():
                self._conn.executemany(
                    "INSERT OR IGNORE INTO script_arrivals (script_id, first_seen) VALUES (?, ?)",
                    values,
                )

        self._pending.write(write, None)

    def bulletins(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[BulletinRecord]:
        """Announcements sent in ``[since, until)``, oldest first."""
        sql, params = self._between("requested_at", since, until)
        return self._bulletins_where(f"{sql} ORDER BY requested_at, id", params)

    def bulletin_for_request(self, request_id: str) -> BulletinRecord | None:
        """The announcement a client's request id made, if one did (before a restart too)."""
        found = self._bulletins_where("WHERE request_id = ?", [request_id])
        return found[0] if found else None

    def _bulletins_where(self, clause: str, params: Sequence[object]) -> list[BulletinRecord]:
        with self._reading():
            rows = self._conn.execute(
                "SELECT id, priority, requested_at, zones, title, sender, text, file, request_id, "
                "origin "
                f"FROM bulletins {clause}",
                params,
            ).fetchall()
        return [
            BulletinRecord(
                id_,
                priority,
                datetime.fromisoformat(at),
                tuple(json.loads(zones)),
                title,
                sender,
                text,
                file,
                request_id,
                origin,
            )
            for id_, priority, at, zones, title, sender, text, file, request_id, origin in rows
        ]

    def aired_plans(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> dict[str, PlanItem]:
        """The recorded plans of airings starting in ``[since, until)``, by item id."""
        sql, params = self._between("start", since, until)
        with self._reading():
            rows = self._conn.execute(f"SELECT item_id, plan FROM aired_plans {sql}", params)
            found = rows.fetchall()
        return {item_id: PlanItem.from_record(json.loads(plan)) for item_id, plan in found}

    def script_arrivals(self) -> dict[str, datetime]:
        """When the daemon first saw each script (scripts seen by no daemon are absent)."""
        with self._reading():
            rows = self._conn.execute("SELECT script_id, first_seen FROM script_arrivals")
            found = rows.fetchall()
        return {script_id: datetime.fromisoformat(first) for script_id, first in found}

    def _between(
        self, column: str, since: datetime | None, until: datetime | None
    ) -> tuple[str, list[str]]:
        """A ``WHERE`` clause for ``since <= column < until`` (either bound may be absent)."""
        clauses, params = [], []
        if since is not None:
            clauses.append(f"{column} >= ?")
            params.append(self._stamp(since))
        if until is not None:
            clauses.append(f"{column} < ?")
            params.append(self._stamp(until))
        return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params
