"""A small ward for the reconcile and report tests: two zones, one morning slot Monday to
Saturday airing two scripts, three scripts in the folder; rows written as the daemon does."""

import textwrap
from datetime import date, timedelta

from broadcast.config import load_config
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog
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


def write_project(tmp_path):
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


def record(paths, item, segment, zone, outcome, seconds, reason=None, **finish):
    """One row of ``segment`` on ``zone``; ``finish``: ``output``, ``to_file`` as the sink said."""
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
        log.finish_attempt(
            attempt_id, outcome, ended_at=end, aired_seconds=seconds, reason=reason, **finish
        )
        return attempt_id
