"""``broadcast reconcile``: the planner's plan for a day beside the play log, line by line."""

import json
from datetime import date, datetime, timedelta

import pytest

from broadcast.cli import main
from broadcast.playlog import Airing, Outcome, PlayLog, Reason
from tests.report.ward import MONDAY, planned_scripts, record


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
        "to_file": 0,
        "not_aired": 1,
        "playing": 0,
        "no_record": 1,
        "upcoming": 0,
        "skipped": 0,
        "bulletin": 0,
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
    # the log begins on Monday 06/03: 23 days Monday to Saturday from then to the end of
    # March, 2 scripts a day, 2 zones each
    assert summary["Theo lịch phát: các ngày đã đối chiếu"] == "06/03/2023 – 31/03/2023 (26 ngày)"
    assert summary["Theo lịch phát: lượt tại vùng loa theo kế hoạch"] == 23 * 2 * 2
    assert summary["Theo lịch phát: lượt tại vùng loa đã phát ra loa"] == 1
    assert summary["Theo lịch phát: tỷ lệ thực hiện (%)"] == round(100 / 92, 1)
