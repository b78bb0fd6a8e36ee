"""``broadcast reconcile``: the planner's plan for a day beside the play log, line by line."""

import json
import textwrap
from datetime import date, datetime, timedelta

import pytest

from broadcast.cli import main
from broadcast.config import load_config
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog, Reason
from broadcast.playlog.history import plan_days
from broadcast.scripts import load_folder

MONDAY = date(2023, 3, 6)
SCHEDULES = """\
timezone: Asia/Ho_Chi_Minh
topics: {cchc: Cải cách hành chính, dvc: Dịch vụ công trực tuyến}
zones:
  - {id: trung-tam, name: Trung tâm, output: {device: "USB Audio", channels: [1]}}
  - {id: tdp-1, name: Tổ dân phố 1, output: {device: "USB Audio", channels: [2]}}
zone_groups: {toan-phuong: all}
programs:
  - id: ban-tin-sang
    name: Bản tin sáng
    segments:
      - chime
      - scripts: {max_count: 2}
slots:
  - id: sang
    name: Bản tin buổi sáng
    times: ["06:00"]
    weekdays: [T2-T7]
    program: ban-tin-sang
    zones: [toan-phuong]
    max_minutes: 15
    skip_holidays: true
"""


def script_text(title, topic):
    body = "Kính thưa bà con. " + "Phường hướng dẫn thủ tục hành chính trực tuyến. " * 4
    return f"---\ntitle: {title}\ntopic: {topic}\n---\n\n{body}\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "schedules.yaml").write_text(SCHEDULES, encoding="utf-8")
    folder = tmp_path / "scripts_vi" / "2023-03"
    folder.mkdir(parents=True)
    for name, title, topic in (
        ("vi-sao-cchc", "Vì sao phải cải cách hành chính", "cchc"),
        ("dvc-muc-4", "Dịch vụ công mức độ 4", "dvc"),
        ("mot-cua", "Bộ phận một cửa", "cchc"),
    ):
        (folder / f"{name}.md").write_text(textwrap.dedent(script_text(title, topic)), "utf-8")
    return ProjectPaths(tmp_path)


def planned_scripts(paths, day):
    config = load_config(paths)
    with PlayLog.open(paths) as log:
        plan = plan_days(config, load_folder(paths).scripts, day, log)
    (item,) = plan.items
    return item, [s for s in item.segments if s.script_id]


def record(paths, item, segment, zone, outcome, seconds, reason=None):
    at = item.start + timedelta(seconds=segment.offset_seconds)
    airing = Airing(
        zone=zone,
        scheduled_at=at,
        title=segment.script_id,
        script_id=segment.script_id,
        slot_id=item.slot_id,
        program=item.program_id,
        planned_seconds=segment.duration_seconds,
    )
    with PlayLog.open(paths) as log:
        if outcome is Outcome.MISSED:
            return log.record_missed(airing, reason)
        attempt_id = log.start_attempt(airing, at)
        end = at + timedelta(seconds=seconds)
        log.finish_attempt(attempt_id, outcome, ended_at=end, aired_seconds=seconds, reason=reason)
        return attempt_id


def reconcile_json(paths, day, capsys):
    assert (
        main(["--home", str(paths.home), "reconcile", "--date", f"{day:%d/%m/%Y}", "--json"]) == 0
    )
    return json.loads(capsys.readouterr().out)


def test_each_planned_script_on_each_zone_gets_its_outcome_and_reason(project, capsys):
    item, (first, second) = planned_scripts(project, MONDAY)
    record(project, item, first, "trung-tam", Outcome.PLAYED, first.duration_seconds)
    record(project, item, second, "trung-tam", Outcome.PREEMPTED, 10, Reason.preempted_by("bao"))
    record(project, item, second, "trung-tam", Outcome.RESUMED, second.duration_seconds - 10)
    record(project, item, second, "tdp-1", Outcome.PARTIAL, 20, Reason.DEVICE_ERROR)
    with PlayLog.open(project) as log:  # an emergency bulletin the plan did not know
        at = datetime.combine(MONDAY, datetime.min.time(), log.timezone).replace(hour=10)
        bulletin = Airing(zone="tdp-1", scheduled_at=at, title="Cảnh báo bão", script_id="bao")
        attempt_id = log.start_attempt(bulletin, at)
        log.finish_attempt(attempt_id, Outcome.PLAYED, ended_at=at, aired_seconds=45)

    result = reconcile_json(project, MONDAY, capsys)
    lines = {(line["script_id"], line["zone"]): line for line in result["lines"]}
    assert lines[(first.script_id, "trung-tam")]["status"] == "aired"
    assert lines[(first.script_id, "tdp-1")]["status"] == "no_record"
    resumed = lines[(second.script_id, "trung-tam")]
    assert resumed["status"] == "aired" and resumed["aired_seconds"] == pytest.approx(
        second.duration_seconds
    )
    assert resumed["reasons"] == ["bị ngắt: nhường cho bản tin bao"]
    cut = lines[(second.script_id, "tdp-1")]
    assert (cut["status"], cut["outcome"]) == ("not_aired", "partial")
    assert cut["reasons"] == ["phát dở: lỗi thiết bị âm thanh"]
    assert lines[("bao", "tdp-1")]["status"] == "unplanned"
    assert result["counts"] == {
        "aired": 2,
        "not_aired": 1,
        "playing": 0,
        "no_record": 1,
        "skipped": 0,
        "unplanned": 1,
    }


def test_the_table_reads_in_vietnamese(project, capsys):
    item, (first, _) = planned_scripts(project, MONDAY)
    record(project, item, first, "tdp-1", Outcome.MISSED, 0, Reason.DAEMON_DOWN)
    assert main(["--home", str(project.home), "reconcile", "--date", "06/03/2023"]) == 0
    out = capsys.readouterr().out
    assert "ĐỐI CHIẾU KẾ HOẠCH VÀ NHẬT KÝ PHÁT — T2 06/03/2023" in out
    for heading in ("Giờ", "Khung giờ", "Vùng loa", "Bản tin", "Kế hoạch", "Kết quả", "Lý do"):
        assert heading in out
    assert "bỏ lỡ: chương trình phát không chạy" in out
    assert "không có bản ghi" in out


def test_a_holiday_shows_as_skipped_with_its_name(project, capsys):
    PlayLog.open(project).close()
    result = reconcile_json(project, date(2023, 5, 1), capsys)  # Labour Day, a Monday
    (line,) = result["lines"]
    assert line["status"] == "skipped" and line["reasons"][0].startswith("ngày lễ")


def test_the_day_is_replanned_with_only_the_history_before_it(project):
    item, before = planned_scripts(project, MONDAY)
    tuesday_item, _ = planned_scripts(project, MONDAY + timedelta(days=1))
    for segment in before:  # Monday's scripts air on Monday…
        for zone in segment.zones:
            record(project, item, segment, zone, Outcome.PLAYED, segment.duration_seconds)
    _, again = planned_scripts(project, MONDAY)
    assert [s.script_id for s in again] == [s.script_id for s in before]  # …not before it
    _, tuesday = planned_scripts(project, MONDAY + timedelta(days=1))
    assert tuesday[0].script_id not in {s.script_id for s in before}  # fairness sees Monday
    assert tuesday_item.slot_id == "sang"


def test_reconcile_reports_a_broken_configuration(project, capsys):
    PlayLog.open(project).close()
    (project.home / "schedules.yaml").write_text("slots: [\n", encoding="utf-8")
    assert main(["--home", str(project.home), "reconcile", "--date", "2023-03-06"]) == 1
    assert "schedules.yaml:" in capsys.readouterr().err


def test_the_period_report_compares_the_log_with_the_timetable(project, capsys):
    item, (first, second) = planned_scripts(project, MONDAY)
    record(project, item, first, "trung-tam", Outcome.PLAYED, first.duration_seconds)
    record(project, item, second, "tdp-1", Outcome.PARTIAL, 20, Reason.DEVICE_ERROR)
    home = ["--home", str(project.home)]
    assert main([*home, "report", "--period", "2023-03", "--json"]) == 0
    summary = dict(json.loads(capsys.readouterr().out)["summary"])
    # 27 days Monday to Saturday in March 2023, 2 scripts a day, 2 zones each
    assert summary["Theo lịch phát: lượt tại vùng loa theo kế hoạch"] == 27 * 2 * 2
    assert summary["Theo lịch phát: lượt tại vùng loa đã phát"] == 1
    assert summary["Theo lịch phát: tỷ lệ thực hiện (%)"] == round(100 / 108, 1)
