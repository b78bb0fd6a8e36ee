"""Tamper evidence: a SHA-256 hash chain over the log's *events*, not over its mutable rows.

Why events: a row is written when playback starts and completed when it ends, and other rows
start and end in between. Hashing the row itself would either leave open rows unprotected or
break the chain when a row is completed. So each row takes part in the chain twice:

* its **start event** (sequence number ``start_seq``) hashes the columns fixed at start
  (``START_FIELDS``, including the row id) together with the previous event's hash;
* its **end event** (``end_seq``) hashes *all* chained columns (``START_FIELDS + END_FIELDS``)
  together with the previous event's hash, at the moment it is completed.

Approvals, revocations and listens (``approval_events``) are events of the same chain: each row
is written once, whole, and hashed whole (``APPROVAL_FIELDS``) as its own event.

Events are numbered 1, 2, 3 … in the order they were written, whatever row they belong to,
and ``chain_head`` keeps the last number and hash. Nothing ever rewrites a chained column, so
completing a row only appends an event and the chain stays valid. ``verify`` replays the
events in order and reports the first one whose hash does not match (that row was changed),
a gap in the numbers or in the row ids (a row was removed), an open row carrying end values,
or a head that is ahead of the last event (rows removed at the end).

The playing heartbeat (``progress_seconds``) is deliberately not chained: it changes every few
seconds and is superseded by the chained ``aired_seconds`` when the row ends.

Limits: the chain has no secret key. It shows edits made with a database browser, but a cut
tail (head set back), a rewrite of every later hash with this code, or an empty or replaced
database all verify; each period report therefore prints the head hash, and ``broadcast logs
--verify --expect HASH`` finds whether the log still holds it (docs/reliability.md).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from broadcast.playlog.faults import damaged_pages
from broadcast.playlog.schema import (
    ADDED_FIELDS,
    APPROVAL_FIELDS,
    CHAINED_FIELDS,
    END_FIELDS,
    GENESIS_HASH,
    START_FIELDS,
)

START = "start"
END = "end"
APPROVAL = "approval"
_END_ONLY = frozenset(END_FIELDS + tuple(name for _, end in ADDED_FIELDS for name in end))
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _positions(kind: str) -> tuple[slice, tuple[slice, ...]]:
    """Where an event's fields sit in ``CHAINED_FIELDS``: the version-1 ones, then each group
    added later (for a start event, only the group's start fields)."""
    first = len(START_FIELDS + END_FIELDS)
    groups, at = [], first
    for start, end in ADDED_FIELDS:
        groups.append(slice(at, at + len(start) + (len(end) if kind == END else 0)))
        at += len(start) + len(end)
    return slice(len(START_FIELDS) if kind == START else first), tuple(groups)


_POSITIONS = {START: _positions(START), END: _positions(END)}


def event_hash(prev_hash: str, seq: int, kind: str, chained: Sequence[object]) -> str:
    """Hash of one event: previous hash, number, kind and the row's ``CHAINED_FIELDS`` values.

    A start event covers only the start fields. The values are encoded as one compact JSON
    array in the fixed column order, which is unambiguous and fast. Each group of fields added
    in a later version (``ADDED_FIELDS``) is appended as one more array, up to the last group
    that has a value set: rows written before a group existed hash as they did, setting one on
    such a row later changes its hash, and a group's place never depends on the others.
    """
    base, group_slices = _POSITIONS[kind]
    groups = [list(chained[where]) for where in group_slices]
    while groups and all(value is None for value in groups[-1]):
        groups.pop()
    text = _ENCODER.encode([prev_hash, seq, kind, [*chained[base], *groups]])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def approval_event_hash(prev_hash: str, seq: int, values: Sequence[object]) -> str:
    """Hash of one approval event: previous hash, number and its ``APPROVAL_FIELDS``."""
    text = _ENCODER.encode([prev_hash, seq, APPROVAL, list(values)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    attempt_id: int | None  # the first row found changed or removed
    kind: str  # "changed", "removed" or "corrupt"
    message: str  # Vietnamese, for the reviewer
    approval_event_id: int | None = None  # an approval event, rather than a play, is at fault


@dataclass(frozen=True)
class VerifyResult:
    rows: int
    events: int
    head_hash: str
    problem: ChainProblem | None = None
    approval_events: int = 0  # approvals, revocations and listens among the events

    @property
    def ok(self) -> bool:
        return self.problem is None


def _missing_ids(ids: Iterable[int], last_allocated: int) -> list[int]:
    missing: list[int] = []
    expected = 1
    for row_id in ids:
        missing.extend(range(expected, row_id))
        expected = row_id + 1
    missing.extend(range(expected, last_allocated + 1))
    return missing


def _removed(missing: list[int], before_id: int | None) -> ChainProblem:
    if missing:
        return ChainProblem(missing[0], "removed", f"bản ghi #{missing[0]} đã bị xoá")
    where = f"trước bản ghi #{before_id}" if before_id is not None else "ở cuối nhật ký"
    return ChainProblem(before_id, "removed", f"chuỗi bị đứt {where}: có bản ghi đã bị xoá")


def _changed(row_id: int) -> ChainProblem:
    return ChainProblem(row_id, "changed", f"bản ghi #{row_id} đã bị sửa sau khi ghi")


def _approval_changed(event_id: int) -> ChainProblem:
    message = f"sự kiện duyệt bài #{event_id} đã bị sửa sau khi ghi"
    return ChainProblem(None, "changed", message, event_id)


def _approval_removed(missing: list[int]) -> ChainProblem:
    message = f"sự kiện duyệt bài #{missing[0]} đã bị xoá"
    return ChainProblem(None, "removed", message, missing[0])


def _ids_and_gaps(conn: sqlite3.Connection, table: str) -> tuple[list[int], list[int]]:
    allocated = conn.execute(
        "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = ?", (table,)
    ).fetchone()[0]
    ids = [r[0] for r in conn.execute(f"SELECT id FROM {table} ORDER BY id")]
    return ids, _missing_ids(ids, allocated)


def verify_chain(conn: sqlite3.Connection) -> VerifyResult:
    """Replay the chain; call inside one read transaction so the daemon's writes don't race."""
    damage = damaged_pages(conn)
    if damage is not None:
        return VerifyResult(0, 0, "", ChainProblem(None, "corrupt", damage))
    head_seq, head_hash = conn.execute("SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()
    ids, missing = _ids_and_gaps(conn, "attempts")
    approval_ids, approvals_missing = _ids_and_gaps(conn, "approval_events")
    if approvals_missing:
        return VerifyResult(len(ids), 0, GENESIS_HASH, _approval_removed(approvals_missing))
    columns = ", ".join(CHAINED_FIELDS)
    # Two walks along the unique indexes on start_seq and end_seq, merged by number: cheaper
    # than letting SQLite sort the union of both.
    starts = conn.execute(
        f"SELECT start_seq, 'start', start_hash, end_seq, {columns} FROM attempts "
        f"ORDER BY start_seq"
    )
    ends = conn.execute(
        f"SELECT end_seq, 'end', end_hash, end_seq, {columns} FROM attempts "
        f"WHERE end_seq IS NOT NULL ORDER BY end_seq"
    )
    approvals = conn.execute(
        f"SELECT seq, '{APPROVAL}', hash, NULL, {', '.join(APPROVAL_FIELDS)} "
        "FROM approval_events ORDER BY seq"
    )
    events = heapq.merge(starts, ends, approvals, key=itemgetter(0))
    end_positions = [i for i, name in enumerate(CHAINED_FIELDS) if name in _END_ONLY]
    prev_hash, expected_seq, last_start_id = GENESIS_HASH, 1, 0
    for seq, kind, stored_hash, end_seq, *chained in events:
        row_id = chained[0]
        if seq != expected_seq:
            return VerifyResult(len(ids), expected_seq - 1, prev_hash, _removed(missing, row_id))
        if kind == APPROVAL:
            if approval_event_hash(prev_hash, seq, chained) != stored_hash:
                problem = _approval_changed(row_id)
                return VerifyResult(len(ids), expected_seq - 1, prev_hash, problem)
            prev_hash, expected_seq = stored_hash, expected_seq + 1
            continue
        if kind == START:
            # rows start in id order; an open row must not carry end values
            if row_id < last_start_id or (
                end_seq is None and any(chained[i] is not None for i in end_positions)
            ):
                return VerifyResult(len(ids), expected_seq - 1, prev_hash, _changed(row_id))
            last_start_id = row_id
        if event_hash(prev_hash, seq, kind, chained) != stored_hash:
            return VerifyResult(len(ids), expected_seq - 1, prev_hash, _changed(row_id))
        prev_hash, expected_seq = stored_hash, expected_seq + 1
    events_seen = expected_seq - 1
    if missing or (head_seq, head_hash) != (events_seen, prev_hash):
        return VerifyResult(len(ids), events_seen, prev_hash, _removed(missing, None))
    return VerifyResult(len(ids), events_seen, prev_hash, approval_events=len(approval_ids))
