"""``priority: emergency`` in a script: needs approval like everything else where approval is
required; refused (its previous good version airs) where it is off, since a file anyone can
drop in would otherwise air inside quiet hours and first in every slot."""

from __future__ import annotations

from datetime import datetime, timedelta

from broadcast.approval import ApprovalEvent, EventKind, fingerprint_of
from broadcast.audio.manifest import AudioManifest
from broadcast.config import load_config
from broadcast.config.references import emergencies_without_approval
from broadcast.daemon.inputs import read_inputs
from broadcast.playlog import PlayLog
from broadcast.playlog.history import plannable
from broadcast.scripts import Priority, load_folder
from tests.reliability.reliability_ward import TIN_MD, WARD, make_ward

REQUIRED = "approval: required\napprovers: [Lê Văn Chiến]\n"


def _emergency(paths):
    tin = paths.scripts_dir / "tin.md"
    tin.write_text(TIN_MD.replace("zones: [to-1]", "priority: khẩn cấp"), encoding="utf-8")


def test_with_approval_off_an_emergency_script_is_refused_at_its_line_and_the_old_text_airs(
    tmp_path,
):
    paths = make_ward(tmp_path)
    before = read_inputs(paths)
    _emergency(paths)
    after = read_inputs(paths, before)
    (problem,) = [d for d in after.problems if d.code == "emergency_in_script"]
    assert (problem.file, problem.line) == ("scripts_vi/tin.md", 5)
    assert "không bật duyệt bài (approval: required)" in problem.message
    assert "broadcast announce --priority emergency" in problem.message
    assert after.by_id["tin"] == before.by_id["tin"]  # the previous good version
    assert after.by_id["tin"].priority is Priority.NORMAL

    # and at a restart, from the copy kept of the last good version
    assert read_inputs(paths).by_id["tin"].priority is Priority.NORMAL


def test_with_approval_required_it_is_read_and_airs_only_once_approved(tmp_path):
    paths = make_ward(tmp_path)
    with paths.schedules_file.open("a", encoding="utf-8") as schedules:
        schedules.write(REQUIRED)
    _emergency(paths)
    inputs = read_inputs(paths)
    assert inputs.problems == ()
    assert inputs.by_id["tin"].priority is Priority.EMERGENCY
    assert emergencies_without_approval(inputs.config, inputs.scripts) == []

    manifest = AudioManifest.load(paths)
    with PlayLog.open(paths) as log:
        planned, judged = plannable(inputs.config, inputs.scripts, manifest, log)
        assert "tin" not in {s.id for s in planned}
        assert judged["tin"].why_left_out() == "chưa được duyệt (broadcast approve)"
        at = datetime.now(WARD) - timedelta(minutes=1)
        fingerprint = fingerprint_of(inputs.by_id["tin"])
        log.record_approval_event(
            ApprovalEvent(EventKind.APPROVED, "tin", at, "Lê Văn Chiến", fingerprint)
        )
        planned, _ = plannable(inputs.config, inputs.scripts, manifest, log)
    assert "tin" in {s.id for s in planned}


def test_the_planner_never_takes_an_emergency_script_where_approval_is_off(tmp_path):
    """Defence in depth: whoever hands the planner the folder (``plan``), not only the daemon's
    reading, leaves it out."""
    paths = make_ward(tmp_path)
    _emergency(paths)
    config = load_config(paths)
    scripts = load_folder(paths).scripts
    planned, judged = plannable(config, scripts, AudioManifest.load(paths), None)
    assert "tin" not in {s.id for s in planned} and "thong-bao" in {s.id for s in planned}
    assert "chỉ phát khi bật duyệt bài" in judged["tin"].why_left_out()
