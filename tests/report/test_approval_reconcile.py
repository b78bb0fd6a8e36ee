"""Issue 17: reconcile and the report plan a past day with what was approved then.

With ``approval: required`` a script could only be planned once its approval was recorded: a
slot before that moment is not reported as missed for it, and a script never approved is not
in the plan at all. The real commands on a real log and folder; the rows written as the
daemon writes them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from broadcast.approval import ApprovalEvent, EventKind, fingerprint_of
from broadcast.config import load_config
from broadcast.paths import ProjectPaths
from broadcast.playlog import Outcome, PlayLog
from broadcast.playlog.history import plan_days
from broadcast.scripts import load_folder
from tests.report.ward import record

WARD = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2023, 3, 6)
APPROVED_AT = datetime(2023, 3, 6, 12, 0, tzinfo=WARD)  # between the two slots
SCHEDULES = """\
timezone: Asia/Ho_Chi_Minh
zones:
  - {{id: to-1, name: Tổ dân phố 1, output: {{device: "USB Audio", channels: [1]}}}}
programs:
  - id: ban-tin
    name: Bản tin
    segments:
      - scripts: {{max_count: 1}}
slots:
  - {{id: sang, name: Buổi sáng, times: ["06:00"], weekdays: [T2-CN], program: ban-tin,
      zones: [to-1], max_minutes: 10}}
  - {{id: chieu, name: Buổi chiều, times: ["17:00"], weekdays: [T2-CN], program: ban-tin,
      zones: [to-1], max_minutes: 10}}
approval: {mode}
approvers: ["Lê Văn Chiến"]
"""
SCRIPTS = {
    "tiem-phong": "Lịch tiêm phòng\n\nTrạm y tế phường tiêm phòng dại sáng thứ bảy.\n",
    "nhap": "Bản nháp\n\nBài này chưa bao giờ được duyệt.\n",
}


def ward(root, mode: str) -> ProjectPaths:
    """The day's 17:00 slot aired the script approved at noon; nothing logged at 06:00."""
    paths = ProjectPaths(root)
    paths.schedules_file.write_text(SCHEDULES.format(mode=mode), encoding="utf-8")
    paths.scripts_dir.mkdir()
    for name, text in SCRIPTS.items():
        (paths.scripts_dir / f"{name}.txt").write_text(text, encoding="utf-8")
    scripts = {script.id: script for script in load_folder(paths).scripts}
    a_week_before = datetime(2023, 2, 27, 8, 0, tzinfo=WARD)
    with PlayLog.open(paths, timezone=WARD) as log:
        log.note_scripts_seen(dict.fromkeys(scripts, a_week_before))  # both long in the folder
        log.record_approval_event(
            ApprovalEvent(
                EventKind.APPROVED,
                "tiem-phong",
                APPROVED_AT,
                "Lê Văn Chiến",
                fingerprint_of(scripts["tiem-phong"]),
            )
        )
        plan = plan_days(load_config(paths), [scripts["tiem-phong"]], DAY, log)
    evening = next(item for item in plan.items if item.slot_id == "chieu")
    segment = next(s for s in evening.segments if s.script_id == "tiem-phong")
    with PlayLog.open(paths, timezone=WARD) as log:  # as the daemon does when it starts
        log.record_aired_plan(evening, evening.start)
    record(paths, evening, segment, "to-1", Outcome.PLAYED, segment.duration_seconds)
    return paths


def broadcast(paths: ProjectPaths, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "broadcast", "--home", str(paths.home), *args, "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def lines(paths: ProjectPaths) -> list[tuple[str, str | None, str]]:
    """``reconcile``'s lines of the day: (time, script, status)."""
    found = broadcast(paths, "reconcile", "--date", DAY.isoformat())["lines"]
    return [
        (f"{datetime.fromisoformat(line['at']):%H:%M}", line["script_id"], line["status"])
        for line in found
    ]


def test_a_slot_before_the_approval_is_not_reported_as_missed(tmp_path):
    paths = ward(tmp_path, "required")
    assert lines(paths) == [("17:00", "tiem-phong", "aired")]  # nothing invented at 06:00
    report = broadcast(paths, "report", "--period", "2023-03")
    (unheard,) = [t for t in report["tables"] if t["key"] == "unheard"]
    assert [row for row in unheard["rows"] if row[0] == f"{DAY:%d/%m/%Y}"] == []


def test_without_approval_the_same_day_plans_the_morning_slot_too(tmp_path):
    """The same folder and log with ``approval: off``: the script (and the draft) could air
    at 06:00 and nothing was logged — what the approval rule keeps reconcile from saying
    when approval is required."""
    paths = ward(tmp_path, "off")
    found = lines(paths)
    assert ("06:00", "tiem-phong", "no_record") in found or ("06:00", "nhap", "no_record") in found
    assert ("17:00", "tiem-phong", "aired") in found


def test_a_script_revoked_since_is_left_out_but_its_play_keeps_the_plan_it_aired_with(
    tmp_path,
):
    paths = ward(tmp_path, "required")
    revoked = datetime.combine(DAY + timedelta(days=1), datetime.min.time(), WARD)
    with PlayLog.open(paths, timezone=WARD) as log:
        log.record_approval_event(
            ApprovalEvent(EventKind.REVOKED, "tiem-phong", revoked, "Lê Văn Chiến")
        )
    # not approved now: planned nowhere again; the 17:00 airing keeps the plan it started with
    assert lines(paths) == [("17:00", "tiem-phong", "aired")]
