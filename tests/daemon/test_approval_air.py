"""Issue 17: the daemon airs only approved text, and every play names its approval.

A real ward on WAV files with ``approval: required``, the real ``broadcast`` commands
(``approve``, ``revoke``, ``plan``, ``run --rehearsal``), the real planner and play log: an
unapproved script is never planned nor aired, an approved one is, with the approval's id on
every row; an edit or a revocation between the plan and the airing is caught just before the
script plays; a running daemon takes a new approval or a revocation without a restart.
"""

from __future__ import annotations

import getpass
import json
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from broadcast.audio.manifest import AudioManifest
from broadcast.control import parse_announcement
from broadcast.daemon.daemon import BroadcastDaemon
from broadcast.daemon.rehearsal import rehearsal_paths
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.playlog import Attempt, Outcome, PlayLog, Reason, reason_label_vi
from tests.daemon.daemon_project import (
    WARD,
    console,
    make_project,
    rows,
    start_to_files,
    wait_for,
    ward_now,
    zone_yaml,
)

APPROVER = "Lê Văn Chiến"
APPROVED = "Lịch tiêm phòng\n\nTrạm y tế phường tiêm phòng dại cho chó mèo sáng thứ bảy.\n"
DRAFT = "Bản nháp\n\nNội dung này chưa được duyệt, không được phát.\n"
# Long enough (some ten seconds aloud) for a test to act while it plays.
LONG = (
    "Thông báo dài\n\n"
    + "Ủy ban nhân dân phường thông báo lịch tiếp công dân định kỳ trong tháng mười hai. " * 2
)
SECOND = "Lịch thu gom rác\n\nXe thu gom rác đi qua các tổ dân phố lúc năm giờ chiều.\n"
ONE_ZONE = [zone_yaml("to-1", "file", [1])]


def approval_ward(
    root: Path, scripts: dict[str, str], slot_in: timedelta, approval: str = "required"
) -> ProjectPaths:
    """One zone on WAV files, one slot ``slot_in`` from now, approval required."""
    paths = make_project(root, ONE_ZONE, scripts, slots={"khung": ward_now() + slot_in})
    with paths.schedules_file.open("a", encoding="utf-8") as schedules:
        schedules.write(f'approval: {approval}\napprovers: ["{APPROVER}"]\n')
    return paths


def run_ok(paths: ProjectPaths, *args: str) -> str:
    done = console(paths, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def approve(paths: ProjectPaths, script_id: str) -> int:
    """``broadcast approve``; the id of the approval it wrote."""
    run_ok(paths, "approve", script_id, "--by", APPROVER)
    return approval_ids(paths, script_id)[-1]


def approval_ids(paths: ProjectPaths, script_id: str) -> list[int]:
    with PlayLog.open_for_reading(paths, timezone=WARD) as log:
        return [e.id for e in log.approval_events(script_id) if e.id is not None]


def planned(paths: ProjectPaths) -> set[str]:
    """The scripts ``broadcast plan --json`` puts on the air today and tomorrow."""
    plan = json.loads(run_ok(paths, "plan", "--json", "--days", "2"))
    return {s["script_id"] for item in plan["items"] for s in item["segments"] if s["script_id"]}


def rehearsed(paths: ProjectPaths) -> list[Attempt]:
    """``broadcast run --rehearsal`` to WAV files: the rows this rehearsal wrote."""
    rehearsal = rehearsal_paths(paths)
    before = len(rows(rehearsal)) if (rehearsal.data_dir / "playlog.sqlite3").exists() else 0
    sink = f"file:{paths.home / 'heard'}"
    run_ok(paths, "run", "--rehearsal", "--sink", sink, "--offline", "--excerpt", "1")
    return rows(rehearsal)[before:]


def edit_one_character(paths: ProjectPaths, name: str) -> None:
    """The last full stop of the text made an exclamation mark."""
    file = paths.scripts_dir / name
    before, _, after = file.read_text(encoding="utf-8").rpartition(".")
    file.write_text(f"{before}!{after}", encoding="utf-8")


def scripts_of(found: list[Attempt]) -> list[tuple[str | None, Outcome]]:
    return [(row.airing.script_id, row.outcome) for row in found]


def test_only_the_approved_text_is_planned_and_rehearsed_and_an_edit_takes_it_off(tmp_path):
    paths = approval_ward(tmp_path, {"duyet.txt": APPROVED, "nhap.txt": DRAFT}, timedelta(hours=6))
    assert planned(paths) == set()
    assert rehearsed(paths) == []  # nothing approved: nothing airs

    approval = approve(paths, "duyet")
    assert planned(paths) == {"duyet"}
    aired = rehearsed(paths)
    assert scripts_of(aired) == [("duyet", Outcome.PLAYED)]
    assert [row.airing.approval_id for row in aired] == [approval]  # the ward's approval

    edit_one_character(paths, "duyet.txt")
    assert planned(paths) == set()
    assert rehearsed(paths) == []


def test_every_play_names_its_approval_and_a_draft_never_airs(tmp_path):
    paths = approval_ward(
        tmp_path, {"duyet.txt": APPROVED, "nhap.txt": DRAFT}, timedelta(seconds=0)
    )
    approval = approve(paths, "duyet")
    daemon = start_to_files(paths, realtime=False)
    try:
        found = wait_for(paths, lambda r: len(r) == 1 and not r[0].is_open)
    finally:
        daemon.stop()
    assert scripts_of(found) == [("duyet", Outcome.PLAYED)]
    assert found[0].airing.approval_id == approval


def test_where_approval_is_off_an_approved_text_still_names_its_approval(tmp_path):
    paths = approval_ward(
        tmp_path, {"duyet.txt": APPROVED, "nhap.txt": DRAFT}, timedelta(seconds=0), "off"
    )
    approval = approve(paths, "duyet")
    daemon = start_to_files(paths, realtime=False)
    try:
        found = wait_for(paths, lambda r: len(r) == 2 and not any(x.is_open for x in r))
    finally:
        daemon.stop()
    named = {row.airing.script_id: row.airing.approval_id for row in found}
    assert named == {"duyet": approval, "nhap": None}  # the draft airs: nothing is required


def _while_first_plays(
    tmp_path: Path, act: Callable[[ProjectPaths, BroadcastDaemon, str], None]
) -> Attempt:
    """Two approved scripts in the slot of now; while the first plays (its row names its
    approval), ``act`` on the second (by id): the second's row, once the program has ended."""
    paths = approval_ward(tmp_path, {"dai.txt": LONG, "rac.txt": SECOND}, timedelta(seconds=0))
    approvals = {script_id: approve(paths, script_id) for script_id in ("dai", "rac")}
    daemon = start_to_files(paths, render_in_own_process=False)  # at the real pace
    try:
        first_row = wait_for(paths, lambda r: len(r) == 1, timeout=60)[0]
        first = first_row.airing.script_id
        assert first is not None and first_row.is_open, "the first script is on the air"
        second = "rac" if first == "dai" else "dai"
        act(paths, daemon, second)
        found = wait_for(paths, lambda r: len(r) == 2 and not any(x.is_open for x in r), 90)
    finally:
        daemon.stop()
    by_script = {row.airing.script_id: row for row in found}
    assert by_script[first].outcome is Outcome.PLAYED
    assert by_script[first].airing.approval_id == approvals[first]
    refused = by_script[second]
    assert (refused.outcome, refused.reason) == (Outcome.MISSED, Reason.NOT_APPROVED)
    assert refused.airing.approval_id is None
    return refused


def test_a_script_edited_after_the_plan_is_caught_just_before_it_plays(tmp_path):
    def edit(paths: ProjectPaths, daemon: BroadcastDaemon, second: str) -> None:
        edit_one_character(paths, f"{second}.txt")
        daemon.reload()  # read at once, as the watcher does within a second

    refused = _while_first_plays(tmp_path, edit)
    assert refused.error == "đã sửa nội dung sau khi duyệt; cần duyệt lại"
    assert reason_label_vi(refused.reason) == "chưa được duyệt hoặc đã sửa sau khi duyệt"


def test_a_script_revoked_after_the_plan_is_caught_just_before_it_plays(tmp_path):
    def revoke(paths: ProjectPaths, _daemon: BroadcastDaemon, second: str) -> None:
        run_ok(paths, "revoke", second, "--by", APPROVER, "--reason", "sai số liệu")

    refused = _while_first_plays(tmp_path, revoke)
    assert refused.error == f"{APPROVER} đã thu hồi duyệt: sai số liệu"


def _render_then_approve_an_edit(tmp_path: Path) -> tuple[ProjectPaths, int]:
    """Audio made from the first text; the text edited and approved as it reads now."""
    paths = approval_ward(tmp_path, {"duyet.txt": APPROVED}, timedelta(seconds=0))
    run_ok(paths, "render", "--offline")
    edit_one_character(paths, "duyet.txt")
    return paths, approve(paths, "duyet")


def test_audio_not_made_from_the_approved_text_is_refused(tmp_path):
    paths, _ = _render_then_approve_an_edit(tmp_path)
    daemon = start_to_files(paths, realtime=False, render_ahead=False)  # nothing made anew
    try:
        found = wait_for(paths, lambda r: len(r) == 1)
    finally:
        daemon.stop()
    ((refused,),) = [found]
    assert (refused.outcome, refused.reason) == (Outcome.MISSED, Reason.AUDIO_NOT_APPROVED)
    assert "không được tạo từ bản đã duyệt" in (refused.error or "")


def test_an_approved_edit_is_rendered_before_the_first_slot_and_airs_its_own_audio(tmp_path):
    paths, approval = _render_then_approve_an_edit(tmp_path)
    daemon = start_to_files(paths, realtime=False, render_in_own_process=False)
    try:
        found = wait_for(paths, lambda r: len(r) == 1 and not r[0].is_open)
    finally:
        daemon.stop()
    (played,) = found
    assert (played.outcome, played.airing.approval_id) == (Outcome.PLAYED, approval)
    entry = AudioManifest.load(paths).entry("duyet")
    assert entry is not None and played.airing.audio_hash == entry.audio_hash


def _next_titles(daemon: BroadcastDaemon) -> set[str]:
    """What ``broadcast status`` says each zone hears next."""
    upcoming = daemon.status().to_json()["next"]
    assert isinstance(upcoming, dict)
    return {segment["title"] for segments in upcoming.values() for segment in segments}


def _eventually(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.2)


def test_a_running_daemon_takes_an_approval_and_a_revocation_without_a_restart(tmp_path):
    paths = approval_ward(tmp_path, {"duyet.txt": APPROVED, "nhap.txt": DRAFT}, timedelta(hours=6))
    daemon = start_to_files(paths, realtime=False, render_in_own_process=False)
    try:
        assert _next_titles(daemon) == set()
        approve(paths, "duyet")  # another process, into the same log
        _eventually(lambda: _next_titles(daemon) == {"Lịch tiêm phòng"})
        run_ok(paths, "revoke", "duyet", "--by", APPROVER, "--reason", "chờ xác minh")
        _eventually(lambda: _next_titles(daemon) == set())
    finally:
        daemon.stop()
    assert rows(paths) == []  # its slot is hours away: nothing aired meanwhile


def test_an_announcement_airs_with_nothing_approved_and_the_log_keeps_who_and_from_where(
    tmp_path,
):
    paths = approval_ward(tmp_path, {"nhap.txt": DRAFT}, timedelta(hours=6))
    daemon = start_to_files(paths, realtime=False, render_in_own_process=False)
    try:
        run_ok(paths, "announce", "--text", "Mất điện từ 14 giờ đến 16 giờ.", "--zones", "to-1")
        found = wait_for(paths, lambda r: len(r) == 1 and not r[0].is_open)
    finally:
        daemon.stop()
    (aired,) = found  # approval is for the board's scripts: the technician's bulletin airs
    assert aired.outcome is Outcome.PLAYED and aired.airing.bulletin_id is not None
    assert aired.airing.approval_id is None
    with PlayLog.open_for_reading(paths, timezone=WARD) as log:
        (record,) = log.bulletins()
    origin = f"dòng lệnh trên {socket.gethostname()} (127.0.0.1)"
    assert (record.sender, record.origin) == (getpass.getuser(), origin)
    report = json.loads(run_ok(paths, "report", "--period", f"{ward_now():%Y-%m}", "--json"))
    (table,) = [t for t in report["tables"] if t["key"] == "announcements"]
    assert table["headings"][3] == "Người gửi, nơi gửi"
    assert [row[3] for row in table["rows"]] == [f"{getpass.getuser()}, từ {origin}"]


def test_an_origin_too_long_is_refused_like_a_sender():
    args = {"text": "Mất điện.", "zones": ["to-1"], "origin": "x" * 121}
    with pytest.raises(InputError) as refused:
        parse_announcement(args)
    (problem,) = refused.value.diagnostics
    assert (problem.file, problem.code) == ("announce --origin", "bad_origin")
    assert "tối đa 120 ký tự" in problem.message
    assert parse_announcement({**args, "origin": " dòng lệnh trên PC-PHAT "}).origin == (
        "dòng lệnh trên PC-PHAT"
    )
