"""Approvals, revocations and listens are events of the play log's hash chain: written whole,
numbered among the plays' events, and covered by ``verify``."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from broadcast.approval import ApprovalEvent, EventKind, Fingerprint
from broadcast.cli import main
from broadcast.playlog import AlreadyApproved, Outcome, PlayLog, database_path
from broadcast.playlog.store import WARD_TIMEZONE

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=WARD_TIMEZONE)
TEXT = Fingerprint("1" * 64, None, {"topic": "cchc", "zones": ["to-1"], "valid_until": None})


def _approved(at: datetime, **fields) -> ApprovalEvent:
    values = {"fingerprint": TEXT, "comment": "Đồng ý phát", "os_user": "chien"}
    values.update(fields)
    return ApprovalEvent(EventKind.APPROVED, "2023-01/dvc-4", at, "Lê Văn Chiến", **values)


@pytest.fixture
def chained(paths, airing):
    """Plays and approval events interleaved as a morning writes them."""
    with PlayLog.open(paths) as log:
        approval = log.record_approval_event(_approved(T0))
        first = log.start_attempt(airing(at=T0, approval_id=approval.id), T0)
        log.record_approval_event(
            ApprovalEvent(
                EventKind.LISTENED, "2023-01/dvc-4", T0, "Trần Thị Hoa", TEXT, audio_hash="a" * 64
            )
        )
        log.finish_attempt(first, Outcome.PLAYED, ended_at=T0, aired_seconds=60, underruns=0)
        log.record_approval_event(
            ApprovalEvent(
                EventKind.REVOKED, "2023-01/dvc-4", T0 + timedelta(hours=1), "Lê Văn Chiến",
                comment="sai số điện thoại",
            )
        )  # fmt: skip
    return paths


def tamper(paths, sql, *params):
    with sqlite3.connect(database_path(paths)) as conn:
        conn.execute(sql, params)


def verify(paths):
    with PlayLog.open_for_reading(paths) as log:
        return log.verify()


def test_approval_events_are_numbered_among_the_plays_events(chained):
    result = verify(chained)
    assert result.ok
    assert (result.rows, result.events, result.approval_events) == (1, 5, 3)
    with PlayLog.open_for_reading(chained) as log:
        events = log.approval_events("2023-01/dvc-4")
        (play,) = log.attempts()
        assert log.chain_head() == (5, events[-1].hash)
    assert [e.kind for e in events] == [EventKind.APPROVED, EventKind.LISTENED, EventKind.REVOKED]
    assert events[0].fingerprint == TEXT and events[0].by == "Lê Văn Chiến"
    assert play.airing.approval_id == events[0].id


def test_logs_verify_counts_them_and_fails_on_an_edited_approval(chained, capsys):
    home = ["--home", str(chained.home)]
    assert main([*home, "logs", "--verify"]) == 0
    assert "5 sự kiện (trong đó 3 sự kiện duyệt bài)" in capsys.readouterr().out
    tamper(chained, "UPDATE approval_events SET by_name = 'Người khác' WHERE id = 1")
    assert main([*home, "logs", "--verify"]) == 1
    assert "sự kiện duyệt bài #1 đã bị sửa sau khi ghi" in capsys.readouterr().err


def test_a_reports_anchor_may_be_an_approval_event(chained):
    with PlayLog.open_for_reading(chained) as log:
        head = log.chain_head()
        assert log.event_with_hash(head[1]) == head[0]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("by_name", "Nguyễn Văn B"),
        ("comment", "Không đồng ý"),
        ("content_sha256", "2" * 64),
        ("text_sha256", "2" * 64),
        ("airing", '{"topic":"khac"}'),
        ("at", "2026-11-30T06:00:00.000+07:00"),
        ("kind", "revoked"),
    ],
)
def test_editing_an_approval_event_breaks_the_chain_there(chained, column, value):
    tamper(chained, f"UPDATE approval_events SET {column} = ? WHERE id = 1", value)
    result = verify(chained)
    assert not result.ok
    assert (result.problem.kind, result.problem.approval_event_id) == ("changed", 1)
    assert result.problem.message == "sự kiện duyệt bài #1 đã bị sửa sau khi ghi"


def test_an_edited_approval_is_not_trusted_when_read_back(chained):
    """``verify`` names the row; meanwhile the planner must not take the edited text as
    approved: a fingerprint that does not hash to the stored one is dropped."""
    tamper(chained, "UPDATE approval_events SET text_sha256 = ? WHERE id = 1", "2" * 64)
    with PlayLog.open_for_reading(chained) as log:
        assert log.approval_events()[0].fingerprint is None


def test_giving_a_play_another_approval_breaks_the_chain(chained):
    tamper(chained, "UPDATE attempts SET approval_id = 2 WHERE id = 1")
    assert verify(chained).problem.attempt_id == 1


@pytest.mark.parametrize("event_id", [1, 3])
def test_deleting_an_approval_event_is_found(chained, event_id):
    tamper(chained, "DELETE FROM approval_events WHERE id = ?", event_id)
    result = verify(chained)
    assert (result.problem.kind, result.problem.approval_event_id) == ("removed", event_id)


def test_an_event_is_written_whole_or_not_at_all(paths):
    """A refused write (here: a trigger failing the insert, as a full disk would) leaves no
    part of the event and the chain's head where it was."""
    with PlayLog.open(paths) as log:
        log.record_approval_event(_approved(T0))
        head = log.chain_head()
    tamper(
        paths,
        "CREATE TRIGGER refuse BEFORE UPDATE OF hash ON approval_events "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    with PlayLog.open(paths) as log:
        with pytest.raises(sqlite3.DatabaseError):
            log.record_approval_event(
                _approved(T0, fingerprint=Fingerprint("3" * 64, None, {"topic": "cchc"}))
            )
        assert len(log.approval_events()) == 1
        assert log.chain_head() == head
        assert log.verify().ok


def test_approving_a_text_already_approved_writes_nothing_even_in_a_batch(paths):
    """Two people approving the same text at the same moment: the second write finds the
    first inside its own transaction and writes none of its batch."""
    other = Fingerprint("2" * 64, None, {"topic": "cchc"})
    with PlayLog.open(paths) as log:
        first = log.record_approval_event(_approved(T0))
        with pytest.raises(AlreadyApproved) as taken:
            log.record_approval_events(
                [_approved(T0, fingerprint=other), _approved(T0 + timedelta(seconds=1))]
            )
        assert taken.value.approval == first
        assert log.approval_events() == [first]
        # once revoked, the same text may be approved again
        revoked = ApprovalEvent(EventKind.REVOKED, "2023-01/dvc-4", T0, "Lê Văn Chiến")
        log.record_approval_event(revoked)
        again = log.record_approval_event(_approved(T0 + timedelta(minutes=1)))
        assert again.id == 3 and log.verify().ok
