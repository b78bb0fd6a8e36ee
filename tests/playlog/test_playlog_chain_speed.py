"""The chain check's faster walk gives the verdict of the plain one, byte for byte.

``verify`` checks a log whose events are numbered 1 … N without gap in one scan of the table
(``chain._walk_by_number``), with the start fields of a row encoded once for both its events
(``chain._row_hashes``) and one JSON encoder made once (``chain._TEXT``). Each shortcut is held
here against what it replaces: the texts against ``json.JSONEncoder.encode`` and
``event_hash``, the walk's verdict against the walk in number order (``chain._walk``) on real
logs tampered with in every way a database browser allows.
"""

from __future__ import annotations

import json
import random
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta

import pytest

from broadcast.approval import ApprovalEvent, EventKind, Fingerprint
from broadcast.playlog import Outcome, PlayLog, Reason, chain, database_path
from broadcast.playlog.schema import CHAINED_FIELDS
from broadcast.playlog.store import WARD_TIMEZONE

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=WARD_TIMEZONE)
TEXT = Fingerprint("1" * 64, None, {"topic": "cchc", "zones": ["to-1"], "valid_until": None})
ODD_VALUES = [
    None,
    0,
    -7,
    2**63 - 1,
    0.1,
    1 / 3,
    1e300,
    -0.0,
    12.5,
    "",
    'tiêu đề "trích" \\ gạch',
    "dòng\nmới\tvà\x00\x1f\x7f",
    "<script>alert(1)</script>",
    "\u2028\ufeff😀",
    "Tổ dân phố 3",
]


def test_the_encoder_made_once_writes_what_json_writes():
    rng = random.Random(18)
    for _ in range(500):
        value = [rng.choice(ODD_VALUES) for _ in range(rng.randrange(0, 12))]
        value.append(tuple(rng.choice(ODD_VALUES) for _ in range(3)))
        assert chain._TEXT(value) == json.JSONEncoder(
            ensure_ascii=False, separators=(",", ":")
        ).encode(value)


def test_a_rows_two_hashes_at_once_are_its_two_event_hashes():
    """Every pattern of set and unset added fields, odd values in every column."""
    rng = random.Random(2026)
    width = len(CHAINED_FIELDS)
    for n in range(3000):
        row = [rng.choice(ODD_VALUES) for _ in range(width)]
        for at in range(len(chain.START_FIELDS + chain.END_FIELDS), width):
            if rng.random() < 0.6:
                row[at] = None  # most rows leave the later groups unset
        row = (*row, "extra", 99)  # what comes after the chained columns is not hashed
        start = (rng.choice([chain.GENESIS_HASH, "ab" * 32]), n + 1)
        end = (rng.choice(["cd" * 32, "ef" * 32]), n + 7) if n % 3 else None
        start_digest, end_digest = chain._row_hashes(row, start, end)
        assert start_digest == chain.event_hash(*start, chain.START, row[:width])
        expected_end = None if end is None else chain.event_hash(*end, chain.END, row[:width])
        assert end_digest == expected_end


def _approved(at: datetime, script_id: str) -> ApprovalEvent:
    return ApprovalEvent(EventKind.APPROVED, script_id, at, "Lê Văn Chiến", TEXT, comment="Đồng ý")


@pytest.fixture
def busy(paths, airing):
    """Forty rows on four zones, starts and ends interleaved, approvals among them, rows with
    and without the later fields, a missed row and one left open."""
    with PlayLog.open(paths) as log:
        for n in range(10):
            at = T0 + timedelta(days=n)
            approval = (
                log.record_approval_event(_approved(at, f"2026-03/tin-{n}")) if n % 3 == 0 else None
            )
            ids = [
                log.start_attempt(
                    airing(
                        zone=f"to-{z}",
                        at=at,
                        approval_id=approval.id if approval and z else None,
                        resumed_from_seconds=12.5 if (n + z) % 4 == 0 else None,
                        bulletin_id=f"b{n}" if z == 3 and n % 2 else None,
                    ),
                    at,
                )
                for z in range(4)
            ]
            for z, row in enumerate(ids):
                outcome = Outcome.PLAYED if z % 2 else Outcome.PARTIAL
                log.finish_attempt(row, outcome, ended_at=at, aired_seconds=60.5, underruns=z)
        log.record_missed(airing(at=T0 + timedelta(days=11)), Reason.DAEMON_DOWN)
        log.start_attempt(airing(at=T0 + timedelta(days=12)), T0 + timedelta(days=12))
    return paths


def _walks(paths):
    """The verdict of both walks over the log as it is now, and of ``verify`` itself."""
    with closing(sqlite3.connect(database_path(paths))) as conn:
        _, missing = chain._ids_and_gaps(conn, "attempts")
        fast = chain._walk_by_number(conn)
        plain = chain._walk(conn, missing)
    with PlayLog.open_for_reading(paths) as log:
        result = log.verify()
    return fast, plain, result


def test_an_untouched_log_takes_the_fast_walk_and_verifies(busy):
    fast, plain, result = _walks(busy)
    assert fast is not None and fast == plain
    assert result.ok and (result.rows, result.events, result.approval_events) == (42, 87, 4)


SEEN_BY_THE_SCAN = [
    "UPDATE attempts SET title = 'Bản tin khác' WHERE id = {row}",
    "UPDATE attempts SET aired_seconds = aired_seconds + 1 WHERE id = {row}",
    "UPDATE attempts SET underruns = NULL WHERE id = {row}",
    "UPDATE attempts SET approval_id = 99 WHERE id = {row}",
    "UPDATE attempts SET resumed_from = 3 WHERE id = {row}",
    "UPDATE attempts SET outcome = 'played', aired_seconds = 1 WHERE id = 42",
    "UPDATE attempts SET start_hash = upper(start_hash) WHERE id = {row}",
    "UPDATE attempts SET end_hash = '" + "0" * 64 + "' WHERE id = {row}",
    "UPDATE approval_events SET by_name = 'Người khác' WHERE id = {event}",
    "UPDATE approval_events SET hash = '" + "f" * 64 + "' WHERE id = {event}",
    "UPDATE chain_head SET hash = '" + "e" * 64 + "'",
]
HANDED_TO_THE_WALK_IN_ORDER = [
    "DELETE FROM attempts WHERE id = {row}",
    "UPDATE attempts SET start_seq = 1000 WHERE id = {row}",
    "UPDATE attempts SET start_seq = end_seq, end_seq = start_seq WHERE id = {row}",
    "UPDATE attempts SET start_hash = 'not a hash' WHERE id = {row}",
    "UPDATE attempts SET end_hash = NULL WHERE id = {row}",
    "UPDATE attempts SET start_seq = 'x' || start_seq WHERE id = {row}",
    "UPDATE approval_events SET seq = seq + 1000 WHERE id = {event}",
]


@pytest.mark.parametrize(
    ("sql", "scanned"),
    [(sql, True) for sql in SEEN_BY_THE_SCAN]
    + [(sql, False) for sql in HANDED_TO_THE_WALK_IN_ORDER],
)
def test_every_tampering_gets_the_verdict_of_the_walk_in_order(busy, sql, scanned):
    rng = random.Random(sql)
    with closing(sqlite3.connect(database_path(busy))) as conn, conn:
        conn.execute(sql.format(row=rng.randrange(1, 41), event=rng.randrange(1, 5)))
    fast, plain, result = _walks(busy)
    assert not result.ok
    assert (fast is not None) == scanned
    assert fast is None or fast == plain
    events, head, problem = plain
    assert (result.events, result.head_hash) == (events, head)
    assert problem is None or result.problem == problem


def test_two_edits_name_the_one_earlier_in_the_chain(busy):
    """The scan goes by row id; the verdict names the first event in the chain's order:
    an end event of row 1 comes after the start of row 4, before that of row 5."""
    with closing(sqlite3.connect(database_path(busy))) as conn, conn:
        conn.execute("UPDATE attempts SET aired_seconds = 1 WHERE id = 1")
        conn.execute("UPDATE attempts SET title = 'x' WHERE id = 8")
        conn.execute("UPDATE approval_events SET comment = 'y' WHERE id = 2")
    fast, plain, result = _walks(busy)
    assert fast is not None and fast == plain
    assert result.problem.attempt_id == 1 and "#1" in result.problem.message
