"""Part of ``PlayLog``: the approval chain's events, written as events of the hash chain.

An event is written whole in one ``BEGIN IMMEDIATE`` transaction with its hash and the new
chain head, so a kill during an approval leaves it recorded whole or not at all, and two
approvals at once (two terminals, two browsers) are both written, one after the other.
Unlike a play, an approval is never kept waiting in memory: the person approving must know
at once whether it was recorded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from broadcast.approval import ApprovalEvent, EventKind, fingerprint_from
from broadcast.playlog.chain import approval_event_hash
from broadcast.playlog.rows import clean_text
from broadcast.playlog.schema import APPROVAL_FIELDS

_COLUMNS = ", ".join(APPROVAL_FIELDS)


class AlreadyApproved(Exception):
    """The text is approved already, by the event ``approval`` (written meanwhile, perhaps)."""

    def __init__(self, approval: ApprovalEvent):
        super().__init__(f"already approved by event {approval.id}")
        self.approval = approval


class ApprovalRecords:
    _conn: sqlite3.Connection

    def _write(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _reading(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _stamp(self, moment: datetime) -> str:
        raise NotImplementedError

    def _head(self) -> tuple[int, str]:
        raise NotImplementedError

    def record_approval_event(self, event: ApprovalEvent) -> ApprovalEvent:
        """Write ``event`` into the chain; returns it with its number and hash. Raises
        SQLite's error if the storage refuses it (nothing is written then)."""
        return self.record_approval_events([event])[0]

    def record_approval_events(self, events: Sequence[ApprovalEvent]) -> list[ApprovalEvent]:
        """Write ``events`` in one transaction: all or none. An approval of a text already
        approved (and not revoked since) raises ``AlreadyApproved`` and writes nothing, so two
        people approving the same text at the same moment record it once."""
        with self._write():
            ids = []
            for event in events:
                if event.kind is EventKind.APPROVED:
                    self._refuse_if_approved(event)
                ids.append(self._insert_event(event))
        return [self._approval_events_where("WHERE id = ?", (event_id,))[0] for event_id in ids]

    def _refuse_if_approved(self, event: ApprovalEvent) -> None:
        found = self._conn.execute(
            "SELECT id FROM approval_events WHERE script_id = ? AND kind = 'approved' "
            "AND content_sha256 = ? AND id > (SELECT COALESCE(MAX(id), 0) FROM approval_events "
            "WHERE script_id = ? AND kind = 'revoked') ORDER BY id DESC LIMIT 1",
            (event.script_id, event.content_sha256, event.script_id),
        ).fetchone()
        if found is not None:
            raise AlreadyApproved(self._approval_events_where("WHERE id = ?", (found[0],))[0])

    def _insert_event(self, event: ApprovalEvent) -> int:
        fingerprint = event.fingerprint
        values = (
            event.kind.value,
            clean_text(event.script_id),
            self._stamp(event.at),
            clean_text(event.by),
            clean_text(event.os_user),
            clean_text(event.origin),
            fingerprint.sha256 if fingerprint else None,
            fingerprint.text_sha256 if fingerprint else None,
            fingerprint.recording_sha256 if fingerprint else None,
            fingerprint.airing_json() if fingerprint else None,
            event.audio_hash,
            clean_text(event.comment),
        )
        seq, prev_hash = self._head()
        seq += 1
        cursor = self._conn.execute(
            "INSERT INTO approval_events (kind, script_id, at, by_name, os_user, origin, "
            "content_sha256, text_sha256, recording_sha256, airing, audio_sha256, comment, "
            "seq, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
            (*values, seq),
        )
        event_id = cursor.lastrowid
        if event_id is None:  # sqlite3 sets it after every INSERT that adds a row
            raise RuntimeError("the play log did not number the approval event")
        digest = approval_event_hash(prev_hash, seq, (event_id, *values))
        self._conn.execute("UPDATE approval_events SET hash = ? WHERE id = ?", (digest, event_id))
        self._conn.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (seq, digest))
        return event_id

    def approval_events(self, script_id: str | None = None) -> list[ApprovalEvent]:
        """The approval chain's events (of one script), oldest first."""
        if script_id is None:
            return self._approval_events_where("", ())
        return self._approval_events_where("WHERE script_id = ?", (script_id,))

    def last_approval_event(self) -> int:
        """The number of the latest approval event (0 for none): the daemon re-plans when it
        grows, whoever wrote it."""
        with self._reading():
            return int(
                self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM approval_events").fetchone()[0]
            )

    def _approval_events_where(
        self, clause: str, params: tuple[object, ...]
    ) -> list[ApprovalEvent]:
        with self._reading():
            rows = self._conn.execute(
                f"SELECT {_COLUMNS}, hash FROM approval_events {clause} ORDER BY id", params
            ).fetchall()
        return [_event(row) for row in rows]


def _event(row: tuple) -> ApprovalEvent:
    (id_, kind, script_id, at, by, os_user, origin, content, text, recording, airing, audio,
     comment, digest) = row  # fmt: skip
    fingerprint = fingerprint_from(text, recording, airing) if text is not None else None
    if fingerprint is not None and fingerprint.sha256 != content:
        fingerprint = None  # the row was edited: ``logs --verify`` names it; trust nothing
    return ApprovalEvent(
        kind=EventKind(kind),
        script_id=script_id,
        at=datetime.fromisoformat(at),
        by=by,
        fingerprint=fingerprint,
        audio_hash=audio,
        comment=comment,
        os_user=os_user,
        origin=origin,
        id=id_,
        hash=digest,
    )
