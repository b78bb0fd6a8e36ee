"""``broadcast reconcile`` gives each row to the occurrence it was scheduled for (issue 13,
defect 10), and an airing still to come today is "chưa đến giờ", not a missing record."""

import json
from datetime import datetime, timedelta

import pytest

from broadcast.cli import main
from broadcast.cli.project import Project
from broadcast.clock import FakeClock
from broadcast.config import load_config
from broadcast.playlog import Outcome, PlayLog
from broadcast.playlog.history import plan_days
from broadcast.playlog.store import WARD_TIMEZONE as WARD
from broadcast.scripts import load_folder
from tests.report.ward import MONDAY, record

TIMES = ("06:00", "06:05", "06:10")  # closer than an airing plus five minutes


@pytest.fixture
def three_times(project):
    """The ward's morning slot aired three times, five minutes apart."""
    schedules = project.schedules_file
    text = schedules.read_text(encoding="utf-8")
    times = ", ".join(f'"{time}"' for time in TIMES)
    text = text.replace('times: ["06:00"]', f"times: [{times}]")
    schedules.write_text(text.replace("max_minutes: 15", "max_minutes: 4"), "utf-8")
    return project


def monday_plan(paths):
    with PlayLog.open(paths) as log:
        plan = plan_days(load_config(paths), load_folder(paths).scripts, MONDAY, log)
        for item in plan.items:  # the daemon records each airing's plan as it starts
            log.record_aired_plan(item, item.start)
    assert [f"{item.start:%H:%M}" for item in plan.items] == list(TIMES)
    return plan.items


def content(item):
    return [segment for segment in item.segments if segment.script_id]


def reconcile_json(paths, capsys):
    home = ["--home", str(paths.home), "reconcile", "--date", f"{MONDAY:%d/%m/%Y}"]
    assert main([*home, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert main(home) == 0
    return result, capsys.readouterr().out


def test_each_row_goes_to_the_occurrence_of_its_scheduled_instant(three_times, capsys):
    items = monday_plan(three_times)
    expected = {}  # (planned instant, zone) -> the row written for it
    for item in items:
        for segment in content(item):
            for zone in segment.zones:
                at = item.start + timedelta(seconds=segment.offset_seconds)
                expected[(at, zone)] = record(
                    three_times, item, segment, zone, Outcome.PLAYED, segment.duration_seconds
                )
    result, _ = reconcile_json(three_times, capsys)
    found = {
        (datetime.fromisoformat(line["at"]), line["zone"]): (line["status"], line["attempt_ids"])
        for line in result["lines"]
    }
    assert found == {key: ("aired", [row]) for key, row in expected.items()}
    assert result["counts"]["aired"] == len(expected)
    assert result["counts"]["unplanned"] == result["counts"]["no_record"] == 0


def test_a_later_occurrence_without_rows_is_not_covered_by_an_earlier_one(three_times, capsys):
    first, second, _ = monday_plan(three_times)
    for item in (first, second):  # the third occurrence never aired
        for segment in content(item):
            for zone in segment.zones:
                record(three_times, item, segment, zone, Outcome.PLAYED, segment.duration_seconds)
    result, _ = reconcile_json(three_times, capsys)
    by_time: dict[str, set[str]] = {}
    for line in result["lines"]:
        by_time.setdefault(line["at"][11:16], set()).add(line["status"])
    assert by_time == {"06:00": {"aired"}, "06:05": {"aired"}, "06:10": {"no_record"}}


def test_airings_still_to_come_today_are_not_yet_due(three_times, capsys, monkeypatch):
    first, _, _ = monday_plan(three_times)
    for segment in content(first):
        for zone in segment.zones:
            record(three_times, first, segment, zone, Outcome.PLAYED, segment.duration_seconds)
    now = datetime.combine(MONDAY, datetime.min.time(), WARD).replace(hour=6, minute=3)
    monkeypatch.setattr(Project, "clock", property(lambda _: FakeClock(now)))
    result, text = reconcile_json(three_times, capsys)
    statuses = {(line["at"][11:16], line["status"]) for line in result["lines"]}
    assert statuses == {("06:00", "aired"), ("06:05", "upcoming"), ("06:10", "upcoming")}
    upcoming = [line for line in result["lines"] if line["status"] == "upcoming"]
    assert all(line["reasons"] == [] for line in upcoming)
    assert "chưa đến giờ" in text
    assert "chương trình phát không chạy" not in text
