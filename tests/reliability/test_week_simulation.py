"""A simulated week on the air, through the daemon's own decisions on a fake clock.

The week of Monday 23/11/2026 (Tuesday 24/11 is a public holiday, Ngày Văn hóa Việt Nam),
run by ``tests/reliability/simulation.py``: airings planned by ``plan_days`` and scheduled by
``upcoming_airings`` as the daemon does, aired by ``begin_airing`` through a file sink, and
logged in a real SQLite play log; scripts are read and rendered for real (espeak-ng).
Meanwhile scripts arrive (one while the daemon is down) and expire, a campaign paces itself,
the daemon is down for an afternoon (``missed_while_down`` on its restart) and boots once a
few minutes late, inside the grace period. Afterwards ``reconcile`` must account for every
planned line of every day, as ``broadcast reconcile --date D`` does.

Then the same week with restarts at seeded random moments (in the middle of airings, just
before them, anywhere) and scripts arriving in between: log rows cannot be edited, so none
may say anything the WAV files the sink wrote contradict.
"""

from __future__ import annotations

import json
import math
import random
import sqlite3
from collections import Counter
from contextlib import closing
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from broadcast.cli import main
from broadcast.playlog import COMPLETED_OUTCOMES, Outcome, PlayLog, Reason, database_path
from broadcast.report.reconcile import LineStatus, ReconcileLine, plan_as_aired, reconcile
from tests.reliability.simulation import WARD, Arrival, Outage, Run, SimulatedDaemon, World
from tests.reliability.sink_output import (
    complete,
    contradictions,
    heard_twice,
    missed_before_arrival,
    script_lengths,
    taken_in_after_begun,
    written,
)

MONDAY = date(2026, 11, 23)
WEEK = [MONDAY + timedelta(days=i) for i in range(7)]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Ward time on day ``day`` (23 to 29) of November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=WARD)


SCHEDULES = """\
timezone: Asia/Ho_Chi_Minh
topics: {cchc: Cải cách hành chính, dvc: Dịch vụ công trực tuyến, thong-bao: Thông báo}
zones:
  - {id: trung-tam, name: Trung tâm, output: {device: "USB Audio", channels: [1]}}
  - {id: tdp-1, name: Tổ dân phố 1, output: {device: "USB Audio", channels: [2]}}
  - {id: tdp-2, name: Tổ dân phố 2, output: {device: "USB Audio", channels: [3]}}
zone_groups:
  toan-phuong: all
  cac-tdp: [tdp-1, tdp-2]
programs:
  - id: ban-tin
    name: Bản tin
    segments:
      - chime
      - scripts: {max_count: 2, max_minutes: 5}
slots:
  - id: sang
    name: Bản tin sáng
    times: ["06:00"]
    weekdays: [T2-T7]
    program: ban-tin
    zones: [toan-phuong]
    max_minutes: 10
    skip_holidays: true
  - id: chieu
    name: Bản tin chiều
    times: ["17:30"]
    weekdays: [T2-T7, CN]
    except: ["27/11/2026"]
    program: ban-tin
    zones: [cac-tdp]
    max_minutes: 10
  - id: khuya
    name: Bản tin khuya
    times: ["22:00"]
    weekdays: [T7]
    program: ban-tin
    zones: [toan-phuong]
    max_minutes: 10
quiet_hours: {from: "21:30", until: "05:00"}
tts:
  engines: [espeak]
  chime: none
"""

# Short texts: espeak-ng renders each in a fraction of a second.
FIRST_SCRIPTS = {
    "2026-11/mot-cua.txt": "Bộ phận một cửa\n\nMời bà con đến Bộ phận một cửa phường.\n",
    "2026-11/nuoc-sach.txt": "Nước sạch\n\nBà con dùng nước sạch, tiết kiệm.\n",
    "2026-11/dvc.md": (
        "---\ntitle: Dịch vụ công\ntopic: dvc\ntimes_per_week: 4\n---\n\n"
        "Bà con nộp hồ sơ trực tuyến.\n"
    ),
    "2026-11/thue-dat.md": (
        "---\ntitle: Thuế đất\ntopic: cchc\nvalid_until: 25/11/2026\n---\n\n"
        "Hạn nộp thuế đất sắp hết.\n"
    ),
    "2026-11/hop-to-1.md": (
        "---\ntitle: Họp tổ 1\ntopic: thong-bao\nzones: [tdp-1]\n---\n\nTổ 1 họp tối nay.\n"
    ),
}
CAMPAIGN = ("2026-11/dvc", 4)  # times_per_week
EXPIRES = ("2026-11/thue-dat", date(2026, 11, 25))  # last valid day


ARRIVALS = (
    Arrival(at(24, 20), {"2026-11/can-cuoc.txt": "Căn cước\n\nBà con làm căn cước.\n"}),
    # while the daemon is down: its restart plans the missed 17:30 with this script in it
    Arrival(
        at(26, 14),
        {
            "2026-11/phong-chay.md": (
                "---\ntitle: Phòng cháy\ntopic: thong-bao\npriority: priority\n---\n\n"
                "Bà con phòng cháy mùa khô.\n"
            )
        },
    ),
)
OUTAGES = (
    Outage(at(26, 12), at(26, 18)),  # Thursday 17:30 is beyond the grace period: missed
    Outage(at(27, 22), at(28, 6, 3)),  # Saturday 06:00 is within it: airs three minutes late
)
MISSED_ITEM = "chieu@2026-11-26T17:30+07:00"
LATE_ITEM = "sang@2026-11-28T06:00+07:00"


def simulate(home: Path, outages: tuple[Outage, ...]) -> Run:
    world = World(
        SCHEDULES,
        FIRST_SCRIPTS,
        start=datetime.combine(MONDAY, time(0), WARD),
        end=datetime.combine(MONDAY + timedelta(days=7), time(0), WARD),
        arrivals=ARRIVALS,
        outages=outages,
    )
    return SimulatedDaemon(home, world).run()


def day_lines(week: Run, log: PlayLog, day: date) -> list[ReconcileLine]:
    """What ``broadcast reconcile --date DAY`` shows, from the inputs as they are now."""
    config, scripts = week.inputs.config, week.inputs.scripts
    start = datetime.combine(day, time(0), WARD)
    attempts = log.attempts(since=start, until=start + timedelta(days=1))
    plan = plan_as_aired(config, scripts, day, log, attempts)
    return reconcile(plan, attempts, {s.id: s.title for s in scripts})


def unexplained(week: Run) -> list[tuple[date, str, str | None, str | None, str]]:
    """Lines of the week that reconcile cannot explain: no record, or outside the plan."""
    with PlayLog.open_for_reading(week.paths, timezone=WARD) as log:
        return [
            (day, f"{line.at:%H:%M}", line.zone, line.script_id, line.status.value)
            for day in WEEK
            for line in day_lines(week, log, day)
            if line.status in (LineStatus.NO_RECORD, LineStatus.UNPLANNED, LineStatus.PLAYING)
        ]


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return simulate(tmp_path_factory.mktemp("ward"), OUTAGES)


@pytest.fixture(scope="module")
def log(week: Run):
    with PlayLog.open_for_reading(week.paths, timezone=WARD) as log:
        yield log


@pytest.fixture(scope="module")
def lines(week: Run, log: PlayLog) -> dict[date, list[ReconcileLine]]:
    return {day: day_lines(week, log, day) for day in WEEK}


def test_every_planned_line_of_the_week_is_aired_or_has_its_reason(week, log, lines):
    statuses = Counter(line.status for day in WEEK for line in lines[day])
    # the simulation's sink writes WAV files: what aired is "to file", never "heard"
    assert set(statuses) == {LineStatus.TO_FILE, LineStatus.NOT_AIRED, LineStatus.SKIPPED}
    for day in WEEK:
        for line in lines[day]:
            if line.status is not LineStatus.TO_FILE:
                assert line.reasons, line
    # every row of the log is a line of the plan, and every planned line has its rows
    rows = log.attempts(since=at(23, 0), until=at(29, 0) + timedelta(days=1))
    matched = [row_id for day in WEEK for line in lines[day] for row_id in line.attempt_ids]
    assert sorted(matched) == sorted(row.id for row in rows)
    played = [row for row in rows if row.outcome in COMPLETED_OUTCOMES]
    assert statuses[LineStatus.TO_FILE] == len(played)
    # what aired went through the sink whole, on every zone
    assert all(row.aired_seconds == pytest.approx(row.airing.planned_seconds) for row in played)
    print(
        f"\n{len(week.aired)} airings run, {len(rows)} log rows, "
        f"{sum(len(v) for v in lines.values())} reconcile lines over {len(WEEK)} days: "
        + ", ".join(f"{status.value} {count}" for status, count in statuses.items())
    )


def test_the_airing_missed_while_the_daemon_was_down_shows_why(week, lines):
    assert week.missed_on_restart == 1
    assert MISSED_ITEM not in {item.id for item, _ in week.aired}
    missed = [line for line in lines[date(2026, 11, 26)] if line.slot_id == "chieu"]
    assert missed and {line.zone for line in missed} == {"tdp-1", "tdp-2"}
    for line in missed:
        assert (line.status, line.outcome) == (LineStatus.NOT_AIRED, Outcome.MISSED)
        assert line.reasons == ("bỏ lỡ: chương trình phát không chạy",)
    not_aired = [line for day in WEEK for line in lines[day] if line.status is LineStatus.NOT_AIRED]
    assert not_aired == missed


def test_a_late_boot_inside_the_grace_period_still_airs_the_slot(week, log):
    (started,) = [moment for item, moment in week.aired if item.id == LATE_ITEM]
    assert started == at(28, 6, 3)
    rows = [
        row
        for row in log.attempts(since=at(28, 0), until=at(29, 0))
        if row.airing.slot_id == "sang"
    ]
    assert rows and all(row.outcome is Outcome.PLAYED for row in rows)
    assert all(row.airing.scheduled_at < row.started_at for row in rows)


def test_the_holiday_and_the_quiet_hours_are_skipped_with_their_reason(lines):
    skipped = {
        (line.at, line.slot_id): line.reasons
        for day in WEEK
        for line in lines[day]
        if line.status is LineStatus.SKIPPED
    }
    assert skipped == {
        (at(24, 6), "sang"): ("ngày lễ: Ngày Văn hóa Việt Nam",),
        (at(28, 22), "khuya"): ("giờ yên tĩnh",),
    }
    # the excluded date is simply not in the plan
    assert not [line for line in lines[date(2026, 11, 27)] if line.slot_id == "chieu"]


def test_the_campaign_reaches_its_weekly_target_despite_the_missed_airing(log):
    script_id, target = CAMPAIGN
    assert log.count_aired(script_id, at(23, 0), at(29, 0) + timedelta(days=1)) == target


def test_an_expired_script_airs_until_its_last_day_and_never_after(log):
    script_id, last_day = EXPIRES
    days = {
        row.airing.scheduled_at.date()
        for row in log.attempts()
        if row.airing.script_id == script_id
    }
    assert days and max(days) <= last_day


def test_new_scripts_air_after_they_arrive_and_never_before(log):
    rows = log.attempts()
    for arrival in ARRIVALS:
        for name in arrival.files:
            script_id = name.rsplit(".", 1)[0]
            mine = [row for row in rows if row.airing.script_id == script_id]
            assert any(row.outcome is Outcome.PLAYED for row in mine), script_id
            assert min(row.airing.scheduled_at for row in mine) > arrival.moment


def test_the_script_that_arrived_while_the_daemon_was_down_is_in_its_missed_rows(log):
    """The restart plans the missed airing with today's folder, and says so in the log."""
    missed = log.attempts(outcome=Outcome.MISSED)
    assert {row.airing.script_id for row in missed} >= {"2026-11/phong-chay"}
    assert {row.reason for row in missed} == {Reason.DAEMON_DOWN}


def test_the_log_of_the_week_verifies(week, log):
    assert log.verify().ok
    with closing(sqlite3.connect(database_path(week.paths))) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_reconcile_command_agrees_with_the_simulation(week, lines, capsys):
    day = date(2026, 11, 26)  # the missed airing and the arrival while down
    home = ["--home", str(week.paths.home)]
    assert main([*home, "reconcile", "--date", f"{day:%d/%m/%Y}", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [
        (line["slot_id"], line["zone"], line["script_id"], line["status"])
        for line in shown["lines"]
    ] == [(line.slot_id, line.zone, line.script_id, line.status.value) for line in lines[day]]
    assert shown["counts"]["no_record"] == shown["counts"]["unplanned"] == 0
    assert shown["counts"]["not_aired"] == 2 * 2  # two scripts on two street zones


def test_an_outage_over_two_nights_is_accounted_for_as_each_day_was_planned(tmp_path):
    outage = Outage(at(23, 12), at(25, 9))  # misses Mon 17:30, Tue 17:30 and Wed 06:00
    week = simulate(tmp_path, (outage,))
    assert week.missed_on_restart == 3
    assert unexplained(week) == []


# -- a week of restarts at random moments -----------------------------------------------

ZONES = ("trung-tam", "tdp-1", "tdp-2")
SLOT_TIMES = (time(6), time(17, 30), time(22))
LATER_SCRIPTS = tuple(
    {
        f"2026-11/tin-{n}.md": (
            f"---\ntitle: Tin số {n}\ntopic: thong-bao\n"
            + ("priority: priority\n" if n % 2 else "")
            + f"---\n\nBà con chú ý tin số {n}.\n"
        )
    }
    for n in range(1, 7)
)


def restarts_world(seed: int) -> World:
    """The week with ten restarts at random moments: in the middle of an airing, just after
    one, minutes before one, or anywhere; down from 20 s to 10 h (log-uniform)."""
    rng = random.Random(seed)
    start = datetime.combine(MONDAY, time(0), WARD)
    end = start + timedelta(days=7)
    gap = timedelta(minutes=1)
    outages: list[Outage] = []
    while len(outages) < 10:
        slot = datetime.combine(rng.choice(WEEK), rng.choice(SLOT_TIMES[:2]), WARD)
        down = rng.choice(
            [
                slot + timedelta(seconds=rng.uniform(0, 9)),
                slot + timedelta(seconds=rng.uniform(10, 120)),
                slot - timedelta(seconds=rng.uniform(0, 300)),
                start + timedelta(seconds=rng.uniform(3600, 7 * 86400 - 3600)),
            ]
        )
        back = down + timedelta(seconds=math.exp(rng.uniform(math.log(20), math.log(36000))))
        if back < end - gap and all(back + gap < o.down or o.back + gap < down for o in outages):
            outages.append(Outage(down, back))
    arrivals = [
        Arrival(start + timedelta(seconds=rng.uniform(3600, 7 * 86400 - 3600)), files)
        for files in LATER_SCRIPTS
    ]
    return World(
        SCHEDULES,
        FIRST_SCRIPTS,
        start=start,
        end=end,
        arrivals=tuple(sorted(arrivals, key=lambda a: a.moment)),
        outages=tuple(sorted(outages, key=lambda o: o.down)),
    )


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_week_of_restarts_at_random_moments_leaves_no_row_the_files_contradict(tmp_path, seed):
    world = restarts_world(seed)
    run = SimulatedDaemon(tmp_path, world).run()
    arrived = world.arrived()
    files = written(run.card.root, ZONES, arrived, WARD)
    with PlayLog.open_for_reading(run.paths, timezone=WARD) as log:
        rows = log.attempts()
        assert log.verify().ok
    # every row that aired has its file, of the seconds it says; every file has its row
    assert contradictions(rows, files, WARD) == []
    # no airing heard twice: by the files, and by the log
    whole = complete(files, script_lengths(run.paths, arrived))
    assert heard_twice(whole, SLOT_TIMES) == []
    completed = Counter(
        (row.airing.zone, row.airing.slot_id, row.airing.script_id, row.airing.scheduled_at)
        for row in rows
        if row.outcome in COMPLETED_OUTCOMES
    )
    assert set(completed.values()) == {1}
    # no miss of a script the folder did not have yet, and no airing takes in a script
    # that arrived after it began (a restart plays the rest as it started)
    assert missed_before_arrival(rows, arrived) == []
    assert taken_in_after_begun(files, arrived, SLOT_TIMES) == []
    # and every planned line is accounted for, every row belongs to the plan
    assert unexplained(run) == []
    outcomes = Counter(row.outcome.value for row in rows if row.outcome is not None)
    print(f"\nseed {seed}: {len(run.crashes_in_play)} crashes in a play, {dict(outcomes)}")
