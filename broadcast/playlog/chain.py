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
from collections.abc import Callable, Iterable, Sequence
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


def _one_shot_encoder() -> Callable[[object], str]:
    """``_ENCODER.encode``, without building the C encoder anew for every call.

    ``JSONEncoder.encode`` makes a ``_json.make_encoder`` with the encoder's own settings for
    each value; this makes it once, with the same settings, so the text is the same byte for
    byte (tests/playlog/test_playlog_chain_speed.py compares them). Without the C module,
    ``encode`` itself."""
    try:
        from _json import encode_basestring, make_encoder
    except ImportError:  # pragma: no cover - CPython always has it
        return _ENCODER.encode
    encode = make_encoder(
        None,  # the circular check only matters for values that contain themselves
        _ENCODER.default,
        encode_basestring,  # what ensure_ascii=False means
        None,
        _ENCODER.key_separator,
        _ENCODER.item_separator,
        _ENCODER.sort_keys,
        _ENCODER.skipkeys,
        _ENCODER.allow_nan,
    )

    def text(value: object) -> str:
        return "".join(encode(value, 0))

    return text


_TEXT = _one_shot_encoder()
_SHA256 = hashlib.sha256


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
_END_ONLY_BASE = slice(len(START_FIELDS), len(START_FIELDS + END_FIELDS))  # END_FIELDS


def event_hash(prev_hash: str, seq: int, kind: str, chained: Sequence[object]) -> str:
    """Hash of one event: previous hash, number, kind and the row's ``CHAINED_FIELDS`` values.

    A start event covers only the start fields. The values are encoded as one compact JSON
    array in the fixed column order, which is unambiguous and fast. Each group of fields added
    in a later version (``ADDED_FIELDS``) is appended as one more array, up to the last group
    that has a value set: rows written before a group existed hash as they did, setting one on
    such a row later changes its hash, and a group's place never depends on the others.
    ``chained`` may carry more values after ``CHAINED_FIELDS``; they are not hashed.
    """
    base, group_slices = _POSITIONS[kind]
    groups = _kept([chained[where] for where in group_slices])
    text = _TEXT([prev_hash, seq, kind, [*chained[base], *groups]])
    return _SHA256(text.encode("utf-8")).hexdigest()


def _kept(groups: list[Sequence[object]]) -> list[Sequence[object]]:
    """``groups`` up to the last one that has a value set (``event_hash``)."""
    while groups and groups[-1].count(None) == len(groups[-1]):
        groups.pop()
    return groups


def _row_hashes(
    row: Sequence[object], start: tuple[str, int], end: tuple[str, int] | None
) -> tuple[str, str | None]:
    """``event_hash`` of a row's start event and, for ``end``, of its end event, each as
    ``(previous hash, number)``; the previous hashes must be hex digests (nothing to escape).

    The same texts as ``event_hash`` builds (tests/playlog/test_playlog_chain_speed.py),
    with the start fields, which both events begin with, encoded once: a compact JSON array
    of a + b is the text of a without its "]", a comma, and the text of b without its "[".
    """
    base, start_groups = _POSITIONS[START]
    head = _TEXT(row[base])[:-1]  # '[v1,…,v13' (13 start fields: never empty)
    kept = _kept([row[where] for where in start_groups])
    tail = "," + _TEXT(kept)[1:] if kept else "]"
    text = f'["{start[0]}",{start[1]},"{START}",{head}{tail}]'
    start_digest = _SHA256(text.encode("utf-8")).hexdigest()
    if end is None:
        return start_digest, None
    _, end_groups = _POSITIONS[END]
    rest = [*row[_END_ONLY_BASE], *_kept([row[where] for where in end_groups])]
    text = f'["{end[0]}",{end[1]},"{END}",{head},{_TEXT(rest)[1:]}]'
    return start_digest, _SHA256(text.encode("utf-8")).hexdigest()


def approval_event_hash(prev_hash: str, seq: int, values: Sequence[object]) -> str:
    """Hash of one approval event: previous hash, number and its ``APPROVAL_FIELDS``."""
    listed = values if isinstance(values, (list, tuple)) else list(values)
    text = _TEXT([prev_hash, seq, APPROVAL, listed])
    return _SHA256(text.encode("utf-8")).hexdigest()


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
    if len(ids) == allocated and (not ids or ids[-1] == allocated):
        return ids, []  # distinct, ascending, 1 … allocated: none missing
    return ids, _missing_ids(ids, allocated)


# One walk's outcome: events that verified, the last one's hash, the first problem.
_Walked = tuple[int, str, ChainProblem | None]
_COLUMNS = ", ".join(CHAINED_FIELDS)
_APPROVAL_COLUMNS = ", ".join(APPROVAL_FIELDS)
_END_POSITIONS = tuple(i for i, name in enumerate(CHAINED_FIELDS) if name in _END_ONLY)


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
    walked = _walk_by_number(conn)
    events_seen, prev_hash, problem = walked if walked is not None else _walk(conn, missing)
    if problem is not None:
        return VerifyResult(len(ids), events_seen, prev_hash, problem)
    if missing or (head_seq, head_hash) != (events_seen, prev_hash):
        return VerifyResult(len(ids), events_seen, prev_hash, _removed(missing, None))
    return VerifyResult(len(ids), events_seen, prev_hash, approval_events=len(approval_ids))


def _walk_by_number(conn: sqlite3.Connection) -> _Walked | None:
    """The walk of ``_walk`` with the same verdict, for a log whose events are numbered
    1 … N without gap or repeat, rows starting in id order, every stored hash 64 hex digits
    (every log nobody removed rows from); ``None`` for any other, which ``_walk`` then takes.

    Each event's hash is checked against the stored hash of the event numbered just before
    it, as the walk in order does; so a table scan in id order replaces the merge of two index
    walks, and each row is read once for both its events instead of twice. The first problem
    is that of the lowest-numbered event that fails, as in the walk in order. Memory: 32 bytes
    per event (3.2 MB for 100,000 plays)."""
    rows, ended = conn.execute("SELECT COUNT(*), COUNT(end_seq) FROM attempts").fetchone()
    (approvals,) = conn.execute("SELECT COUNT(*) FROM approval_events").fetchone()
    total = rows + ended + approvals
    digests = bytearray(32 * (total + 1))  # by number; number 0 is the genesis, 64 zeros
    seen = bytearray(total + 1)
    numbered = conn.execute(
        "SELECT start_seq, start_hash, end_seq, end_hash FROM attempts ORDER BY id"
    )
    last_start = 0
    try:
        for start_seq, start_hash, end_seq, end_hash in numbered:
            if start_seq <= last_start or (end_seq is not None and end_seq <= start_seq):
                return None  # rows start in id order, and end after they start
            last_start = start_seq
            for seq, digest in ((start_seq, start_hash), (end_seq, end_hash)):
                if seq is None:
                    continue
                if not 0 < seq <= total or seen[seq] or len(digest) != 64:
                    return None
                seen[seq] = 1
                digests[32 * seq : 32 * seq + 32] = bytes.fromhex(digest)
        for seq, digest in conn.execute("SELECT seq, hash FROM approval_events"):
            if not 0 < seq <= total or seen[seq] or len(digest) != 64:
                return None
            seen[seq] = 1
            digests[32 * seq : 32 * seq + 32] = bytes.fromhex(digest)
    except (TypeError, ValueError):  # a number or hash of another type, not hex
        return None
    # N distinct numbers in 1 … N: each one is there once. A hash used below as the one
    # before a failing event's is that of an event that verified: the same text as stored.
    first_bad, problem = total + 1, None
    for seq, stored, *values in conn.execute(
        f"SELECT seq, hash, {_APPROVAL_COLUMNS} FROM approval_events"
    ):
        if seq < first_bad:
            prev = digests[32 * (seq - 1) : 32 * seq].hex()
            if approval_event_hash(prev, seq, values) != stored:
                first_bad, problem = seq, _approval_changed(values[0])
    # the chained columns first, so a row is the ``chained`` of ``event_hash`` as it is
    played = conn.execute(
        f"SELECT {_COLUMNS}, start_seq, start_hash, end_seq, end_hash FROM attempts ORDER BY id"
    )
    at = len(CHAINED_FIELDS)
    for row in played:
        start_seq, start_hash, end_seq, end_hash = row[at:]
        if start_seq >= first_bad:
            break  # later rows start later still, and end after they start
        start = (digests[32 * (start_seq - 1) : 32 * start_seq].hex(), start_seq)
        end = None
        if end_seq is not None:
            end = (digests[32 * (end_seq - 1) : 32 * end_seq].hex(), end_seq)
        elif any(row[i] is not None for i in _END_POSITIONS):
            first_bad, problem = start_seq, _changed(row[0])  # an open row with end values
            continue
        start_digest, end_digest = _row_hashes(row, start, end)
        if start_digest != start_hash:
            first_bad, problem = start_seq, _changed(row[0])
        elif end is not None and end_digest != end_hash and end_seq < first_bad:
            first_bad, problem = end_seq, _changed(row[0])
    verified = first_bad - 1
    return verified, digests[32 * verified : 32 * first_bad].hex(), problem


def _walk(conn: sqlite3.Connection, missing: list[int]) -> _Walked:
    """Replay the events in number order, merged from the three tables; stop at the first that
    does not follow: a gap or repeat in the numbers (a row removed), a changed value."""
    # Two walks along the unique indexes on start_seq and end_seq, merged by number: cheaper
    # than letting SQLite sort the union of both.
    starts = conn.execute(
        f"SELECT start_seq, 'start', start_hash, end_seq, {_COLUMNS} FROM attempts "
        f"ORDER BY start_seq"
    )
    ends = conn.execute(
        f"SELECT end_seq, 'end', end_hash, end_seq, {_COLUMNS} FROM attempts "
        f"WHERE end_seq IS NOT NULL ORDER BY end_seq"
    )
    approvals = conn.execute(
        f"SELECT seq, '{APPROVAL}', hash, NULL, {_APPROVAL_COLUMNS} "
        "FROM approval_events ORDER BY seq"
    )
    events = heapq.merge(starts, ends, approvals, key=itemgetter(0))
    prev_hash, expected_seq, last_start_id = GENESIS_HASH, 1, 0
    for seq, kind, stored_hash, end_seq, *chained in events:
        row_id = chained[0]
        if seq != expected_seq:
            return expected_seq - 1, prev_hash, _removed(missing, row_id)
        if kind == APPROVAL:
            if approval_event_hash(prev_hash, seq, chained) != stored_hash:
                return expected_seq - 1, prev_hash, _approval_changed(row_id)
            prev_hash, expected_seq = stored_hash, expected_seq + 1
            continue
        if kind == START:
            # rows start in id order; an open row must not carry end values
            if row_id < last_start_id or (
                end_seq is None and any(chained[i] is not None for i in _END_POSITIONS)
            ):
                return expected_seq - 1, prev_hash, _changed(row_id)
            last_start_id = row_id
        if event_hash(prev_hash, seq, kind, chained) != stored_hash:
            return expected_seq - 1, prev_hash, _changed(row_id)
        prev_hash, expected_seq = stored_hash, expected_seq + 1
    return expected_seq - 1, prev_hash, None
