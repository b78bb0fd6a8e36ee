"""``broadcast trace``: the chain of an approved, rendered, aired script, and each broken link
named — a play under no approval or another script's, audio that is not the approved text's,
an approval row edited in the database."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from broadcast.audio.manifest import AudioManifest
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog, database_path
from tests.approval.ward import DEPUTY, HEAD, MD_ID, TXT_ID, cli, events, make_ward

WARD = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A ward whose scripts were rendered once (espeak-ng, offline); each test copies the
    audio cache rather than rendering again."""
    ward = make_ward(tmp_path_factory.mktemp("rendered"))
    assert cli(ward, "render", "--offline") == 0
    return ward


@pytest.fixture
def ward(rendered, tmp_path):
    shutil.copytree(rendered.home, tmp_path / "ward")
    copy = ProjectPaths(tmp_path / "ward")
    database_path(copy).unlink(missing_ok=True)
    return copy


def _play(ward, approval_id, *, audio=None, zone="tdp-1", to_file=False, minutes=0):
    """One play of the plain-text script as the daemon logs it."""
    entry = AudioManifest.load(ward).entry(TXT_ID)
    start = datetime.now(WARD) + timedelta(minutes=minutes)
    airing = Airing(
        zone=zone,
        scheduled_at=start,
        title="Bộ phận một cửa",
        script_id=TXT_ID,
        slot_id="sang",
        audio_hash=audio or entry.audio_hash,
        engine=entry.engine,
        voice=entry.voice,
        approval_id=approval_id,
    )
    with PlayLog.open(ward) as log:
        attempt = log.start_attempt(airing, start, output="USB Audio", to_file=to_file)
        log.finish_attempt(
            attempt,
            Outcome.PLAYED,
            ended_at=start + timedelta(seconds=4),
            aired_seconds=4.0,
            output="USB Audio",
            to_file=to_file,
        )
    return attempt


def _trace(ward, capsys, script_id=TXT_ID):
    capsys.readouterr()
    code = cli(ward, "trace", script_id)
    out = capsys.readouterr().out
    assert cli(ward, "trace", script_id, "--json") == code
    return code, out, json.loads(capsys.readouterr().out)


def test_trace_shows_the_whole_chain_of_an_aired_script(ward, capsys, tmp_path):
    assert cli(ward, "approve", TXT_ID, "--by", HEAD, "--comment", "Đúng giờ làm việc") == 0
    (approval,) = events(ward)
    # written to a file: nobody listened, so no listen is recorded
    assert cli(ward, "preview", TXT_ID, "--out", str(tmp_path / "nghe.wav"), "--by", DEPUTY) == 0
    assert "không được ghi" in capsys.readouterr().out
    assert len(events(ward)) == 1
    _play(ward, approval.id)
    _play(ward, approval.id, to_file=True, minutes=1)
    code, out, data = _trace(ward, capsys)
    assert code == 0, out
    entry = AudioManifest.load(ward).entry(TXT_ID)
    for shown in (
        approval.content_sha256[:12],
        f"#{approval.id}",
        HEAD,
        "Đúng giờ làm việc",
        "ĐANG HIỆU LỰC",
        entry.audio_hash[:12],
        "espeak",
        "LUFS",
        "làm từ bản hiện tại",
        "Tổ dân phố 1",
        "đã phát",
        "Nhật ký toàn vẹn",
        "Chuỗi đầy đủ",
    ):
        assert shown in out, shown
    assert data["whole"] and data["broken"] == []
    assert data["approval_id"] == approval.id
    assert data["audio"]["audio_sha256"] == entry.audio_hash
    assert data["audio"]["made_from_current"] is True
    assert [p["approval_id"] for p in data["plays"]] == [approval.id, approval.id]
    assert [p["to_file"] for p in data["plays"]] == [False, True]
    assert data["listens"] == []
    assert data["log"] == {"ok": True, "problem": None}


def test_a_play_of_other_audio_is_noted_and_one_under_no_approval_is_a_broken_link(ward, capsys):
    assert cli(ward, "approve", TXT_ID, MD_ID, "--by", HEAD) == 0
    txt, md = events(ward)
    _play(ward, txt.id)
    assert _trace(ward, capsys)[0] == 0
    # the audio of an earlier text or loudness target, aired under a valid approval: a note
    _play(ward, txt.id, audio="ab" * 32, minutes=1)
    code, out, data = _trace(ward, capsys)
    assert code == 0 and data["broken"] == []
    assert "Ghi chú" in out and "âm thanh khác bản hiện tại" in out
    (note,) = data["notes"]
    assert "abababababab" in note
    _play(ward, None, minutes=2)
    _play(ward, md.id, minutes=3)
    code, out, data = _trace(ward, capsys)
    assert code == 1
    assert any("không ghi lần duyệt nào mà đang bắt buộc duyệt" in b for b in data["broken"])
    assert any(
        f"lần duyệt số {md.id}, không phải một lần duyệt của bài này" in b for b in data["broken"]
    )


def test_a_play_after_the_revocation_is_a_broken_link(ward, capsys):
    assert cli(ward, "approve", TXT_ID, "--by", HEAD) == 0
    (approval,) = events(ward)
    assert cli(ward, "revoke", TXT_ID, "--by", HEAD, "--reason", "Sai giờ") == 0
    _play(ward, approval.id, minutes=1)
    code, out, data = _trace(ward, capsys)
    assert code == 1
    assert "đã thu hồi duyệt" in out
    assert any("phát sau khi" in b and "thu hồi duyệt" in b for b in data["broken"])


def test_an_edited_approval_row_fails_the_log_and_the_trace(ward, capsys):
    assert cli(ward, "approve", TXT_ID, "--by", HEAD) == 0
    (approval,) = events(ward)
    _play(ward, approval.id)
    with sqlite3.connect(database_path(ward)) as db:
        db.execute("UPDATE approval_events SET by_name = 'Người Khác' WHERE id = ?", (approval.id,))
    db.close()
    capsys.readouterr()
    assert cli(ward, "logs", "--verify") == 1
    assert "KHÔNG toàn vẹn" in capsys.readouterr().err
    code, out, data = _trace(ward, capsys)
    assert code == 1
    assert "Nhật ký KHÔNG toàn vẹn" in out and "Người Khác" in out
    assert data["log"]["ok"] is False
    assert any(b.startswith("nhật ký KHÔNG toàn vẹn") for b in data["broken"])


def test_an_unapproved_or_unrendered_script_is_not_a_whole_chain(tmp_path, capsys):
    ward = make_ward(tmp_path)
    capsys.readouterr()
    code, out, data = _trace(ward, capsys)  # no log yet: the approvals part is empty
    assert code == 1
    assert "Duyệt và thu hồi:\n   (chưa có)" in out
    assert data["broken"] == ["bản hiện tại không được phát: chưa được duyệt (broadcast approve)"]
    assert not database_path(ward).exists()  # reading only
    assert cli(ward, "approve", TXT_ID, "--by", HEAD) == 0
    code, out, data = _trace(ward, capsys)
    assert code == 1
    assert data["broken"] == [
        "bản đã duyệt chưa có âm thanh làm từ đúng nội dung này (chạy broadcast render)"
    ]


def test_trace_of_an_unknown_id_suggests_the_closest(tmp_path, capsys):
    ward = make_ward(tmp_path)
    capsys.readouterr()
    assert cli(ward, "trace", "2026-12/mot-cuaa") == 1
    assert '(có phải "2026-12/mot-cua"?)' in capsys.readouterr().err


def test_trace_of_a_deleted_script_shows_what_the_log_holds(ward, capsys):
    assert cli(ward, "approve", TXT_ID, "--by", HEAD) == 0
    (approval,) = events(ward)
    _play(ward, approval.id)
    (ward.scripts_dir / "2026-12" / "mot-cua.txt").unlink()
    code, out, data = _trace(ward, capsys)
    assert "không có kịch bản hợp lệ mã này" in out
    assert data["title"] is None and len(data["plays"]) == 1
    assert code == 0  # the play was under its approval, of the audio then current
