"""``approve``, ``revoke`` and ``approvals`` through the real CLI, on a ward with real script
files and ``approval: required``; what they write is read back from the real SQLite log."""

from __future__ import annotations

import json

import pytest

from broadcast.approval import EventKind
from broadcast.playlog import PlayLog
from tests.approval.ward import (
    BAD_ID,
    DEPUTY,
    HEAD,
    MD_ID,
    REC_ID,
    TXT_ID,
    cli,
    events,
    make_ward,
)


@pytest.fixture
def ward(tmp_path):
    return make_ward(tmp_path)


def _approvals(ward, capsys, *options: str) -> dict[str, dict]:
    capsys.readouterr()  # what came before
    assert cli(ward, "approvals", "--json", *options) == 0
    return {s["script_id"]: s for s in json.loads(capsys.readouterr().out)["scripts"]}


def test_approve_records_who_what_and_from_where(ward, capsys):
    # typed the way people type: lower case, doubled space; the listed spelling is recorded
    code = cli(ward, "approve", MD_ID, REC_ID, "--by", "lê văn  chiến", "--comment", "Đồng ý")
    out = capsys.readouterr().out
    assert code == 0
    assert f"Đăng ký hộ kinh doanh ({MD_ID}): đã duyệt" in out
    assert f"Lời kêu gọi của Chủ tịch phường ({REC_ID}): đã duyệt" in out
    written = events(ward)
    assert [(e.kind, e.script_id, e.by, e.comment) for e in written] == [
        (EventKind.APPROVED, MD_ID, HEAD, "Đồng ý"),
        (EventKind.APPROVED, REC_ID, HEAD, "Đồng ý"),
    ]
    assert all(e.os_user and e.origin.startswith("dòng lệnh trên") for e in written)
    assert written[0].fingerprint.recording_sha256 is None
    assert written[1].fingerprint.recording_sha256 is not None  # the announcer's own file
    assert written[0].content_sha256[:12] in out
    state = _approvals(ward, capsys)
    assert state[MD_ID]["state"] == state[REC_ID]["state"] == "approved"
    assert state[MD_ID]["approval"]["by"] == HEAD
    assert state[TXT_ID]["state"] == "pending"
    assert state[TXT_ID]["why"] == "chưa được duyệt (broadcast approve)"
    assert BAD_ID not in state  # a rejected file is no script to approve
    assert list(_approvals(ward, capsys, "--pending")) == [TXT_ID]


def test_approve_json_prints_the_events_written(ward, capsys):
    assert cli(ward, "approve", TXT_ID, "--by", DEPUTY, "--json") == 0
    (printed,) = json.loads(capsys.readouterr().out)
    (stored,) = events(ward)
    assert printed["id"] == stored.id and printed["hash"] == stored.hash
    assert printed["content_sha256"] == stored.content_sha256
    assert printed["text_sha256"] == stored.fingerprint.text_sha256
    assert (printed["kind"], printed["script_id"], printed["by"]) == ("approved", TXT_ID, DEPUTY)


@pytest.mark.parametrize(
    ("ids", "by", "message"),
    [
        ([TXT_ID, "2026-12/mot-cuaa"], HEAD, 'mã "2026-12/mot-cuaa"'),
        ([TXT_ID, BAD_ID], HEAD, "không hợp lệ; chạy `broadcast check`"),
        ([TXT_ID], "Lê Văn Chiếm", "không có trong danh sách người duyệt"),
    ],
    ids=["unknown-id", "invalid-script", "not-an-approver"],
)
def test_a_refused_approval_writes_nothing(ward, capsys, ids, by, message):
    assert cli(ward, "approve", MD_ID, "--by", HEAD) == 0
    capsys.readouterr()
    assert cli(ward, "approve", *ids, "--by", by) == 1
    err = capsys.readouterr().err
    assert message in err
    assert len(events(ward)) == 1  # the valid id named with a wrong one is not approved either
    if "mot-cuaa" in message:
        assert '(có phải "2026-12/mot-cua"?)' in err
    if "danh sách" in message:
        assert HEAD in err and DEPUTY in err  # the list, so the right name can be typed


def test_approving_the_same_text_again_is_refused(ward, capsys):
    assert cli(ward, "approve", MD_ID, "--by", HEAD) == 0
    capsys.readouterr()
    assert cli(ward, "approve", TXT_ID, MD_ID, "--by", DEPUTY) == 1
    err = capsys.readouterr().err
    assert f'"{MD_ID}" đã được duyệt đúng bản này lúc' in err and f"bởi {HEAD}" in err
    assert [e.script_id for e in events(ward)] == [MD_ID]


def test_approval_off_still_records_and_says_it_is_not_needed(tmp_path, capsys):
    ward = make_ward(tmp_path, approval="approval: off")
    assert cli(ward, "approve", TXT_ID, "--by", HEAD) == 0
    out = capsys.readouterr().out
    assert "approval: off" in out and "chưa cần để phát" in out
    assert len(events(ward)) == 1
    assert cli(ward, "approvals") == 0
    out = capsys.readouterr().out
    assert out.startswith("Không bắt buộc duyệt")


def test_edit_after_approval_names_what_changed_and_restoring_restores(ward, capsys):
    source = ward.scripts_dir / "2026-12" / "ho-kinh-doanh.md"
    approved = source.read_text(encoding="utf-8")
    assert cli(ward, "approve", MD_ID, "--by", HEAD) == 0
    # the author is not what airs: the approval stays
    source.write_text(approved.replace("author: Ban biên tập", "author: Chị Lan"), "utf-8")
    assert _approvals(ward, capsys)[MD_ID]["state"] == "approved"
    # one character of the text
    source.write_text(approved.replace("trực tuyến.", "trực tuyến!"), "utf-8")
    edited = _approvals(ward, capsys)[MD_ID]
    assert edited["state"] == "edited" and edited["changed"] == ["nội dung"]
    assert edited["why"] == "đã sửa nội dung sau khi duyệt; cần duyệt lại"
    assert edited["approval"] is None and edited["earlier"]["by"] == HEAD
    assert cli(ward, "approvals") == 0
    table = capsys.readouterr().out
    assert "đã sửa sau khi duyệt" in table and "đã sửa nội dung sau khi duyệt" in table
    # a later end date changes what airs
    source.write_text(approved.replace("2026-12-31", "2027-01-31"), "utf-8")
    assert _approvals(ward, capsys)[MD_ID]["changed"] == ["ngày hết hạn"]
    # the exact approved text again
    source.write_text(approved, "utf-8")
    assert _approvals(ward, capsys)[MD_ID]["state"] == "approved"
    assert len(events(ward)) == 1


def test_revoke_withdraws_and_needs_a_reason_and_an_approver(ward, capsys):
    assert cli(ward, "approve", TXT_ID, "--by", HEAD) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit):  # argparse: --reason is required
        cli(ward, "revoke", TXT_ID, "--by", HEAD)
    assert cli(ward, "revoke", TXT_ID, "--by", "Ai Đó", "--reason", "sai số") == 1
    assert "không có trong danh sách người duyệt" in capsys.readouterr().err
    assert len(events(ward)) == 1
    assert cli(ward, "revoke", TXT_ID, "--by", DEPUTY, "--reason", "Sai giờ làm việc") == 0
    assert "đã thu hồi duyệt" in capsys.readouterr().out
    state = _approvals(ward, capsys)[TXT_ID]
    assert state["state"] == "revoked"
    assert state["why"] == f"{DEPUTY} đã thu hồi duyệt: Sai giờ làm việc"
    # nothing left in force: refused, nothing written
    assert cli(ward, "revoke", TXT_ID, "--by", HEAD, "--reason", "lần nữa") == 1
    assert "không có lần duyệt nào đang hiệu lực" in capsys.readouterr().err
    assert cli(ward, "revoke", MD_ID, "--by", HEAD, "--reason", "chưa duyệt") == 1
    assert "chưa được duyệt lần nào" in capsys.readouterr().err
    assert cli(ward, "revoke", "2026-12/khong-co", "--by", HEAD, "--reason", "x") == 1
    assert 'mã "2026-12/khong-co"' in capsys.readouterr().err
    assert len(events(ward)) == 2
    # approved again after the revocation: the new approval counts
    assert cli(ward, "approve", TXT_ID, "--by", HEAD) == 0
    assert _approvals(ward, capsys)[TXT_ID]["state"] == "approved"


def test_an_approval_can_be_withdrawn_after_the_file_is_gone(ward, capsys):
    assert cli(ward, "approve", TXT_ID, "--by", HEAD) == 0
    (ward.scripts_dir / "2026-12" / "mot-cua.txt").unlink()
    capsys.readouterr()
    assert cli(ward, "revoke", TXT_ID, "--by", HEAD, "--reason", "Duyệt nhầm", "--json") == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["kind"], printed["script_id"], printed["comment"]) == (
        "revoked",
        TXT_ID,
        "Duyệt nhầm",
    )
    # a file put back with the same words stays withdrawn
    (ward.scripts_dir / "2026-12" / "mot-cua.txt").write_text(
        "Bộ phận một cửa\n\nBộ phận một cửa làm việc sáng thứ bảy.\n", "utf-8"
    )
    assert _approvals(ward, capsys)[TXT_ID]["state"] == "revoked"


def test_an_edited_script_can_be_revoked_so_restoring_it_does_not_air(ward, capsys):
    source = ward.scripts_dir / "2026-12" / "mot-cua.txt"
    approved = source.read_text(encoding="utf-8")
    assert cli(ward, "approve", TXT_ID, "--by", HEAD) == 0
    source.write_text(approved + "\nThêm một câu.\n", "utf-8")
    assert cli(ward, "revoke", TXT_ID, "--by", HEAD, "--reason", "Bản cũ sai") == 0
    source.write_text(approved, "utf-8")
    assert _approvals(ward, capsys)[TXT_ID]["state"] == "revoked"


def test_approve_and_revoke_leave_the_chain_verifiable(ward, capsys):
    assert cli(ward, "approve", MD_ID, TXT_ID, "--by", HEAD) == 0
    assert cli(ward, "revoke", MD_ID, "--by", HEAD, "--reason", "Sai ngày") == 0
    with PlayLog.open_for_reading(ward) as log:
        assert log.verify().ok and log.verify().events == 3
    assert cli(ward, "logs", "--verify") == 0


def test_an_emergency_script_waits_for_approval_even_while_approval_is_off(tmp_path, capsys):
    ward = make_ward(tmp_path, approval="approval: off")
    urgent = ward.scripts_dir / "2026-12" / "bao.md"
    urgent.write_text("---\ntitle: Tin bão\npriority: khẩn cấp\n---\n\nBão số 9.\n", "utf-8")
    pending = _approvals(ward, capsys, "--pending")
    assert list(pending) == ["2026-12/bao", MD_ID, REC_ID, TXT_ID]  # nothing approved yet
    assert "khẩn cấp" in pending["2026-12/bao"]["why"]
    assert pending[TXT_ID]["why"] == "chưa được duyệt (broadcast approve)"  # were it required
    assert pending[TXT_ID]["airable"] is True
