"""``broadcast demo`` shows the approval chain on a fresh ward where nothing is approved yet: on
its rehearsal copy the board approves every script but one and edits one after approving it;
the plan names both with their reasons, the rehearsal airs only the approved ones, each play
under its approval, and the ward's own scripts and log are left as they were. Without Mosquitto
the demo runs all the same and says why its IP zone is left out. Run on a day without programs
(a Sunday, for a Monday-to-Saturday timetable), it rehearses the nearest day that has them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest

from broadcast.clusters.local_broker import BINARY_ENV
from broadcast.config.values import WEEKDAY_LABELS_VI
from broadcast.paths import ProjectPaths
from broadcast.playlog import Outcome
from broadcast.schedule.labels import day_label
from tests.daemon.daemon_project import make_project, rows, ward_now, zone_yaml

SCRIPTS = {
    f"2026-12/{name}.txt": f"{title}\n\n{body}\n"
    for name, title, body in (
        ("hop-to-dan-pho", "Mời họp tổ dân phố", "Mời bà con dự họp tổ dân phố tối thứ Bảy."),
        ("tiem-chung", "Lịch tiêm chủng", "Trạm y tế tiêm chủng cho trẻ vào sáng thứ Hai."),
        ("ve-sinh", "Tổng vệ sinh", "Sáng Chủ nhật cả phường tổng vệ sinh đường phố."),
        ("nop-thue", "Nộp thuế đất", "Bà con nộp thuế sử dụng đất trước ngày 31/12."),
    )
}
APPROVAL = 'approval: required\napprovers: ["Lê Văn Chiến"]\n'


def ward(root) -> ProjectPaths:
    noon = ward_now().replace(hour=12, minute=0)  # today, whatever the hour the test runs
    paths = make_project(root, [zone_yaml("pho-2", "file", [1])], SCRIPTS, {"trua": noon})
    with paths.schedules_file.open("a", encoding="utf-8") as schedules:
        schedules.write(APPROVAL)
    return paths


def rehearsed_rows(paths: ProjectPaths) -> list:
    copy = paths.home / "demo_out" / "ward"
    return rows(ProjectPaths(copy).with_data_dir(copy / "data" / "rehearsal"))


def named(label: str, said: str) -> str:
    found = re.search(rf"^{label}: (\S+)", said, re.MULTILINE)
    assert found, said
    return found.group(1)


def demo(paths: ProjectPaths, **env: str) -> str:
    """What ``broadcast demo`` printed, run as typed (``env`` added to the environment)."""
    done = subprocess.run(
        [sys.executable, "-m", "broadcast", "--home", str(paths.home), "demo"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.slow  # the whole demo as a subprocess: check, render, approve, plan, rehearsal
def test_the_demo_airs_the_approved_and_leaves_out_the_pending_and_the_edited(tmp_path):
    paths = ward(tmp_path / "ward")
    # as on a PC without Mosquitto: the IP zone is left out (tests/clusters/test_demo_ip.py)
    said = demo(paths, **{BINARY_ENV: ""})
    ip_zone = said[said.index("6. Cụm loa IP") : said.index("7. Phát diễn tập")]
    assert "bỏ qua phần cụm loa IP" in ip_zone and "chưa cài Mosquitto" in ip_zone
    assert "apt-get install mosquitto" in ip_zone  # and how to install it
    assert "0 bài đã duyệt, 4 bài chờ duyệt" in said  # the ward itself: nothing approved
    pending = named("Để chờ duyệt \\(chưa duyệt\\)", said)
    edited = named("Sửa sau khi duyệt", said)
    assert pending != edited
    plan = said[said.index("5. Lịch phát hôm nay") : said.index("6. Cụm loa IP")]
    left_out = plan[plan.index("Bài không được lên lịch vì chưa duyệt:") :]
    assert f"({pending}): chưa được duyệt" in left_out
    assert f"({edited}): đã sửa nội dung sau khi duyệt; cần duyệt lại" in left_out

    aired = rehearsed_rows(paths)
    approved = {script_id[: -len(".txt")] for script_id in SCRIPTS} - {pending, edited}
    assert {row.airing.script_id for row in aired} == approved
    assert all(row.outcome is Outcome.PLAYED and row.to_file for row in aired)
    assert all(row.airing.approval_id is not None for row in aired)  # each under its approval
    assert "9. Chuỗi bằng chứng" in said and "Lê Văn Chiến" in said[said.index("9. Chuỗi") :]

    # the ward's own files: scripts as written, no play log, nothing approved
    for name, text in SCRIPTS.items():
        assert (paths.scripts_dir / name).read_text(encoding="utf-8") == text
    assert not (paths.data_dir / "playlog.sqlite3").exists()


@pytest.mark.slow  # the whole demo as a subprocess
def test_a_demo_on_a_day_without_programs_rehearses_the_nearest_day_that_has_them(tmp_path):
    """Sunday, and the timetable airs Monday to Saturday: the demo (the README's first command)
    aired nothing at all. It now plans and rehearses the nearest day with a program, and says
    why it is not today's."""
    paths = ward(tmp_path / "ward")
    tomorrow = ward_now().date() + timedelta(days=1)
    timetable = paths.schedules_file.read_text(encoding="utf-8")
    only_tomorrow = f"weekdays: [{WEEKDAY_LABELS_VI[tomorrow.weekday()]}]"
    paths.schedules_file.write_text(
        timetable.replace("weekdays: [T2-T7, CN]", only_tomorrow), encoding="utf-8"
    )
    said = demo(paths, **{BINARY_ENV: ""})
    assert f"buổi diễn tập dùng chương trình của {day_label(tomorrow)}" in said
    plan = said[said.index(f"5. Lịch phát {day_label(tomorrow)}") : said.index("6. Cụm loa IP")]
    assert "Không có buổi phát nào" not in plan
    aired = rehearsed_rows(paths)
    assert len(aired) == len(SCRIPTS) - 2  # all but the pending one and the edited one
    assert all(row.outcome is Outcome.PLAYED and row.to_file for row in aired)
