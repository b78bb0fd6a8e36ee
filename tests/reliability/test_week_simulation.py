"""A simulated week on the air, through the daemon's own code paths on a fake clock.

The week of Monday 23/11/2026 (Tuesday 24/11 is a public holiday, Ngày Văn hóa Việt Nam).
Each airing is planned by ``plan_days`` (the log before that midnight as history, the inputs as
the daemon holds them at that moment), aired by ``ProgramRunner`` through a sink into
a file sink, and logged in a real SQLite play log; scripts are read and rendered for real
(espeak-ng). Meanwhile scripts arrive (one while the daemon is down) and expire, a campaign
paces itself, the daemon is down for an afternoon (``account_for_downtime`` on its restart)
and boots once a few minutes late, inside the grace period. Afterwards ``reconcile`` must
account for every planned line of every day, as ``broadcast reconcile --date D`` does.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcast.audio.batch import render_all
from broadcast.audio.manifest import AudioManifest
from broadcast.cli import main
from broadcast.clock import FakeClock
from broadcast.daemon.air import AirControl
from broadcast.daemon.alarms import Alarms
from broadcast.daemon.downtime import account_for_downtime, aired_parts
from broadcast.daemon.inputs import Inputs, read_inputs
from broadcast.daemon.runner import AirContext, ProgramRunner
from broadcast.daemon.segment_audio import SegmentAudioSource
from broadcast.paths import ProjectPaths
from broadcast.playlog import COMPLETED_OUTCOMES, Outcome, PlayLog, Reason, database_path
from broadcast.playlog.history import plan_days
from broadcast.report.reconcile import LineStatus, ReconcileLine, plan_as_aired, reconcile
from broadcast.schedule import Plan, PlanItem
from broadcast.sinks.file import FileSink
from broadcast.sinks.protocol import ZoneSpeakers

WARD = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = date(2026, 11, 23)
WEEK = [MONDAY + timedelta(days=i) for i in range(7)]
GRACE = timedelta(minutes=5)  # the daemon's default


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


@dataclass(frozen=True)
class Arrival:
    """The board drops ``files`` into scripts_vi/ at ``moment`` (no valid_from: plain drops)."""

    moment: datetime
    files: dict[str, str]


@dataclass(frozen=True)
class Outage:
    """The daemon stopped at ``down`` (its last heartbeat) and started again at ``back``."""

    down: datetime
    back: datetime


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


@dataclass
class Week:
    paths: ProjectPaths
    inputs: Inputs  # as they are at the end: what ``broadcast reconcile`` reads
    aired: list[tuple[PlanItem, datetime]] = field(default_factory=list)  # item, started at
    missed_on_restart: int = 0


class SimulatedDaemon:
    """The daemon's decisions, in order, on a fake clock: reload, render, plan, air, restart."""

    def __init__(self, home: Path, outages: tuple[Outage, ...]):
        self.paths = ProjectPaths(home)
        self.paths.schedules_file.write_text(SCHEDULES, encoding="utf-8")
        write_scripts(self.paths, FIRST_SCRIPTS)
        self.clock = FakeClock(datetime.combine(MONDAY, time(0), WARD))
        self.outages = outages
        self.events: list[tuple[datetime, Callable[[], None]]] = sorted(
            [(a.moment, lambda a=a: self._arrive(a)) for a in ARRIVALS]
            + [(o.back, lambda o=o: self._restart(o)) for o in outages],
            key=lambda event: event[0],
        )
        self.log = PlayLog.open(self.paths, timezone=WARD)
        self._reload()
        self.week = Week(self.paths, self.inputs)

    def run_week(self) -> Week:
        try:
            for day in WEEK:
                self._run_day(day)
        finally:
            self.log.close()
        self.week.inputs = self.inputs
        return self.week

    # -- the daemon's steps ------------------------------------------------------------

    def _reload(self) -> None:
        """After a change in the folder (or at start): read, render ahead, measure."""
        self.inputs = read_inputs(self.paths)
        assert not self.inputs.problems, self.inputs.problems
        summary = render_all(self.paths, self.inputs.config.tts.offline(), self.inputs.scripts)
        assert summary.ok, summary.failed
        self.durations = AudioManifest.load(self.paths).planning_durations()

    def plan(self, first: date, days: int = 1) -> Plan:
        """``BroadcastDaemon._plan``."""
        config, scripts = self.inputs.config, self.inputs.scripts
        return plan_days(config, scripts, first, self.log, days, self.durations)

    def context(self) -> AirContext:
        """As ``BroadcastDaemon._build_context`` makes it, with a file sink on the fake clock."""
        config = self.inputs.config
        sink = FileSink(self.paths.data_dir / "on-air", realtime=False, clock=self.clock)
        return AirContext(
            config=config,
            scripts=self.inputs.by_id,
            audio=SegmentAudioSource(self.paths, config, AudioManifest.load(self.paths)),
            sink=sink,
            speakers={zone.id: ZoneSpeakers.from_zone(zone) for zone in config.zones},
            log=self.log,
            air=AirControl(),
            clock=self.clock,
            alarms=Alarms(self.clock),
        )

    def _down_at(self, moment: datetime) -> Outage | None:
        return next((o for o in self.outages if o.down < moment < o.back), None)

    def _arrive(self, arrival: Arrival) -> None:
        write_scripts(self.paths, arrival.files)
        if self._down_at(arrival.moment) is None:
            self._reload()  # the watcher's reload; a stopped daemon reads them when it starts

    def _restart(self, outage: Outage) -> None:
        """``BroadcastDaemon.start``: inputs, render, then what was missed while down."""
        self._reload()
        self.week.missed_on_restart += account_for_downtime(
            self.context(), self.plan, outage.down, GRACE
        )

    def _until(self, moment: datetime) -> None:
        """Time passes up to ``moment``; arrivals and restarts on the way happen in order."""
        while self.events and self.events[0][0] <= moment:
            when, happen = self.events.pop(0)
            self._advance_to(when)
            happen()
        self._advance_to(moment)

    def _advance_to(self, moment: datetime) -> None:
        if moment > self.clock.now():
            self.clock.advance(moment - self.clock.now())

    def _run_day(self, day: date) -> None:
        last: datetime | None = None
        while True:
            # the plan is made again before every airing: inputs may have changed meanwhile
            item = next((i for i in self.plan(day).items if last is None or i.start > last), None)
            if item is None:
                break
            last = item.start
            outage = self._down_at(item.start)
            if outage is not None and item.start <= outage.back - GRACE:
                continue  # nothing plays; the restart accounts for it
            self._until(outage.back if outage is not None else item.start)
            item = next(i for i in self.plan(day).items if i.id == item.id)
            started = self.clock.now()
            # ``BroadcastDaemon._air``: a late start skips what already aired
            done = aired_parts(self.log, item) if item.start < started else set()
            ProgramRunner(self.context(), item, done).run()
            self.week.aired.append((item, started))
            self._advance_to(started + timedelta(seconds=item.duration_seconds))
        self._until(datetime.combine(day + timedelta(days=1), time(0), WARD))


def write_scripts(paths: ProjectPaths, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = paths.scripts_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def day_lines(week: Week, log: PlayLog, day: date) -> list[ReconcileLine]:
    """What ``broadcast reconcile --date DAY`` shows, from the inputs as they are now."""
    config, scripts = week.inputs.config, week.inputs.scripts
    start = datetime.combine(day, time(0), WARD)
    attempts = log.attempts(since=start, until=start + timedelta(days=1))
    plan = plan_as_aired(config, scripts, day, log, attempts)
    return reconcile(plan, attempts, {s.id: s.title for s in scripts})


def unexplained(week: Week) -> list[tuple[date, str, str | None, str | None, str]]:
    """Lines of the week that reconcile cannot explain: no record, or outside the plan."""
    with PlayLog.open_for_reading(week.paths, timezone=WARD) as log:
        return [
            (day, f"{line.at:%H:%M}", line.zone, line.script_id, line.status.value)
            for day in WEEK
            for line in day_lines(week, log, day)
            if line.status in (LineStatus.NO_RECORD, LineStatus.UNPLANNED, LineStatus.PLAYING)
        ]


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Week:
    return SimulatedDaemon(tmp_path_factory.mktemp("ward"), OUTAGES).run_week()


@pytest.fixture(scope="module")
def log(week: Week):
    with PlayLog.open_for_reading(week.paths, timezone=WARD) as log:
        yield log


@pytest.fixture(scope="module")
def lines(week: Week, log: PlayLog) -> dict[date, list[ReconcileLine]]:
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
    week = SimulatedDaemon(tmp_path, (outage,)).run_week()
    assert week.missed_on_restart == 3
    assert unexplained(week) == []
