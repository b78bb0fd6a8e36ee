"""The approval rules, judged on real script files read by the real reader, with events written
to and read back from a real play log."""

from __future__ import annotations

import wave
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from broadcast.approval import ApprovalEvent, EventKind, State, fingerprint_of, judge
from broadcast.audio.manifest import ManifestEntry
from broadcast.config.approval import ApprovalSettings
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.scripts import read_script

REQUIRED = ApprovalSettings(required=True, approvers=("Lê Văn Chiến",))
LISTEN = ApprovalSettings(required=True, listen=True, approvers=("Lê Văn Chiến",))
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=WARD_TIMEZONE)
FRONT = {
    "title": "Thông báo lịch tiêm chủng tháng 12",
    "topic": "thong-bao",
    "valid_until": "2026-12-31",
    "author": "Trạm Y tế phường",
}
BODY = "Kính thưa bà con tổ dân phố số 2!\n\nTrạm Y tế tổ chức tiêm chủng vào sáng thứ Bảy.\n"


class Ward:
    """A project folder with one script, its play log, and the approval events written so far."""

    def __init__(self, home: Path):
        self.paths = ProjectPaths(home)
        self.file = self.paths.scripts_dir / "2026-12" / "tiem-chung.md"
        self.file.parent.mkdir(parents=True)
        self.write()
        self.at = T0

    def write(self, body: str = BODY, **fields: str) -> None:
        front = "".join(f"{key}: {value}\n" for key, value in {**FRONT, **fields}.items())
        self.file.write_text(f"---\n{front}---\n{body}", encoding="utf-8")

    @property
    def script(self):
        return read_script(self.file, self.paths)

    def event(self, kind: EventKind, **fields) -> ApprovalEvent:
        self.at += timedelta(minutes=1)
        event = ApprovalEvent(kind, self.script.id, self.at, "Lê Văn Chiến", **fields)
        with PlayLog.open(self.paths) as log:
            return log.record_approval_event(event)

    def approve(self) -> ApprovalEvent:
        return self.event(EventKind.APPROVED, fingerprint=fingerprint_of(self.script))

    def revoke(self, reason: str = "sai giờ tiêm") -> ApprovalEvent:
        return self.event(EventKind.REVOKED, comment=reason)

    def listen(self, audio_hash: str) -> ApprovalEvent:
        fingerprint = fingerprint_of(self.script)
        return self.event(EventKind.LISTENED, fingerprint=fingerprint, audio_hash=audio_hash)

    def judged(self, settings: ApprovalSettings = REQUIRED, audio: ManifestEntry | None = None):
        with PlayLog.open(self.paths) as log:
            events = log.approval_events(self.script.id)
        return judge(self.script, events, settings, audio)


@pytest.fixture
def ward(tmp_path):
    return Ward(tmp_path)


def test_a_new_script_is_pending_and_does_not_air(ward):
    judged = ward.judged()
    assert (judged.state, judged.airable) == (State.PENDING, False)
    assert "chưa được duyệt" in judged.why_left_out()


def test_without_required_approval_a_draft_airs(ward):
    judged = ward.judged(ApprovalSettings())
    assert (judged.state, judged.airable) == (State.PENDING, True)


def test_approval_is_for_the_text_an_edit_drafts_it_and_restoring_the_text_restores_it(ward):
    approval = ward.approve()
    assert ward.judged().state is State.APPROVED
    assert ward.judged().approval_id == approval.id

    ward.write(BODY.replace("thứ Bảy", "thứ Bẩy"))  # one character
    edited = ward.judged()
    assert (edited.state, edited.airable, edited.changed) == (State.EDITED, False, ("nội dung",))
    assert edited.why_left_out() == "đã sửa nội dung sau khi duyệt; cần duyệt lại"
    assert edited.earlier == approval

    ward.write(BODY)
    assert ward.judged().state is State.APPROVED


def test_saving_the_same_words_with_other_line_endings_keeps_the_approval(ward):
    ward.approve()
    ward.file.write_bytes(ward.file.read_bytes().replace(b"\n", b"\r\n"))
    assert ward.judged().state is State.APPROVED


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("valid_until", "2027-01-31", "ngày hết hạn"),
        ("zones", "[tdp-1]", "khu vực phát"),
        ("priority", "emergency", "mức ưu tiên"),
        ("times_per_week", "3", "số lần phát mỗi tuần"),
        ("topic", "cchc", "chủ đề"),
    ],
)
def test_front_matter_that_changes_what_airs_needs_approval_again(ward, field, value, label):
    ward.approve()
    ward.write(**{field: value})
    judged = ward.judged()
    assert (judged.state, judged.changed) == (State.EDITED, (label,))


def test_the_author_field_does_not_change_what_airs(ward):
    ward.approve()
    ward.write(author="Ban biên tập")
    assert ward.judged().state is State.APPROVED


def test_an_emergency_script_needs_approval_like_any_other(ward):
    ward.write(priority="emergency")
    assert ward.judged().state is State.PENDING
    ward.approve()
    assert ward.judged().airable


def test_a_revocation_withdraws_every_earlier_approval(ward):
    ward.approve()
    ward.write(BODY + "\nXin cảm ơn.\n")
    ward.approve()
    ward.revoke("chưa đúng lịch của Trạm Y tế")
    judged = ward.judged()
    assert (judged.state, judged.airable) == (State.REVOKED, False)
    assert judged.why_left_out() == "Lê Văn Chiến đã thu hồi duyệt: chưa đúng lịch của Trạm Y tế"
    ward.write(BODY)  # the first text, approved before the revocation: still not approved
    assert ward.judged().state is State.REVOKED
    ward.approve()
    assert ward.judged().state is State.APPROVED


def _entry(ward: Ward, audio_hash: str, source_hash: str | None) -> ManifestEntry:
    return ManifestEntry(
        ward.script.id, "a.wav", "key", "espeak", "vi", 30.0, -16.0, -1.5,
        "2026-12-01T08:00:00+07:00", False, audio_hash, 1_440_000, Path("a.wav"),
        source_hash,
    )  # fmt: skip


def test_with_listen_required_the_audio_of_this_very_text_must_have_been_heard(ward):
    ward.approve()
    audio = _entry(ward, "a" * 64, ward.script.content_hash)
    assert ward.judged(LISTEN, audio).state is State.NOT_LISTENED
    assert "chưa được nghe thử" in ward.judged(LISTEN, audio).why_left_out()

    ward.listen("b" * 64)  # some other audio: does not count
    assert ward.judged(LISTEN, audio).state is State.NOT_LISTENED
    listened = ward.listen("a" * 64)
    judged = ward.judged(LISTEN, audio)
    assert (judged.state, judged.listen) == (State.APPROVED, listened)

    rerendered = _entry(ward, "c" * 64, ward.script.content_hash)  # new loudness, new voice …
    assert ward.judged(LISTEN, rerendered).state is State.NOT_LISTENED


def test_audio_made_from_an_older_text_cannot_be_listened_for_the_new_one(ward):
    ward.approve()
    stale = _entry(ward, "a" * 64, "an older text's hash")
    ward.listen("a" * 64)
    judged = ward.judged(LISTEN, stale)
    assert (judged.state, judged.audio_hash) == (State.NOT_LISTENED, None)
    assert judged.why_left_out() == "chưa có âm thanh của bản đã duyệt để nghe thử"


def test_a_recorded_bulletin_is_approved_for_its_own_audio_bytes(tmp_path):
    paths = ProjectPaths(tmp_path)
    folder = paths.scripts_dir / "2026-12"
    folder.mkdir(parents=True)
    recording = folder / "loa-ghi-am.wav"

    def record(level: int) -> None:
        with wave.open(str(recording), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(16_000)
            out.writeframes(int(level).to_bytes(2, "little", signed=True) * 16_000)

    record(1000)
    (folder / "loa-ghi-am.yaml").write_text(
        "title: Thông báo thu gom rác\ntopic: thong-bao\n", encoding="utf-8"
    )
    script = read_script(recording, paths)
    approved = ApprovalEvent(
        EventKind.APPROVED, script.id, T0, "Lê Văn Chiến", fingerprint_of(script)
    )
    assert judge(script, [approved], REQUIRED).state is State.APPROVED
    record(2000)  # the announcer recorded it again
    again = read_script(recording, paths)
    judged = judge(again, [approved], REQUIRED)
    assert (judged.state, judged.changed) == (State.EDITED, ("tệp ghi âm",))
