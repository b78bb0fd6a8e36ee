"""Fairness asks the play log when each zone last heard each script: one question per script
for all zones (``last_aired_by_zone``) must give the plan the per-zone questions gave, on a
rich ward (20 zones, 50 slots, 2,000 scripts with priorities, campaigns and zone subsets) and
a real SQLite log with every outcome, plays after the plan's midnight included."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from bench.plan import START, schedules_yaml
from bench.plan import scripts as bench_scripts
from broadcast.config import parse_config
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog
from broadcast.playlog.history import HistoryBefore, plan_days
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.schedule import plan_range
from broadcast.schedule.history import ZoneHistory

FIRST_DAY = START + timedelta(days=30)


class PerZoneOnly:
    """The log as a plain ``AiringHistory``: asked zone by zone, as before."""

    def __init__(self, history: HistoryBefore):
        self._history = history

    def last_aired(self, script_id: str, zone: str | None = None) -> datetime | None:
        return self._history.last_aired(script_id, zone)

    def count_aired(self, script_id: str, start: datetime, end: datetime) -> int:
        return self._history.count_aired(script_id, start, end)


def fill_log(paths: ProjectPaths, script_ids: list[str], rng: random.Random) -> None:
    outcomes = list(Outcome)
    with PlayLog.open(paths) as log:
        for _ in range(1500):
            at = datetime.combine(START, datetime.min.time(), WARD_TIMEZONE) + timedelta(
                minutes=rng.randrange(40 * 24 * 60)  # up to ten days after the cutoff
            )
            script_id = rng.choice(script_ids)
            item = Airing(
                zone=f"z{rng.randrange(22)}", scheduled_at=at, title="Bài", script_id=script_id
            )
            outcome = rng.choice(outcomes)
            if outcome is Outcome.MISSED:
                log.record_missed(item, "daemon_down")
                continue
            attempt = log.start_attempt(item, at)
            log.finish_attempt(
                attempt, outcome, ended_at=at + timedelta(seconds=60), aired_seconds=60
            )


def test_one_question_per_script_plans_what_one_per_zone_planned(tmp_path: Path):
    rng = random.Random(18)
    (tmp_path / "media").mkdir()
    paths = ProjectPaths(tmp_path)
    config = parse_config(schedules_yaml(rng), "schedules.yaml", paths)
    scripts = bench_scripts(rng)
    fill_log(paths, [s.id for s in rng.sample(scripts, 300)], rng)
    with PlayLog.open_for_reading(paths, timezone=config.timezone) as log:
        midnight = datetime.combine(FIRST_DAY, datetime.min.time(), config.timezone)
        history = HistoryBefore(log, midnight)
        assert isinstance(history, ZoneHistory)
        for script in scripts[:400]:
            by_zone = history.last_aired_by_zone(script.id)
            zones = [f"z{i}" for i in range(22)]
            assert by_zone == {
                zone: moment
                for zone in zones
                if (moment := history.last_aired(script.id, zone)) is not None
            }
        assert not isinstance(PerZoneOnly(history), ZoneHistory)
        asked_by_zone = plan_days(config, scripts, FIRST_DAY, log, days=7)
        asked_per_zone = plan_range(
            config, scripts, FIRST_DAY, days=7, history=PerZoneOnly(history)
        )
    assert asked_by_zone.items
    assert asked_by_zone == asked_per_zone
    # and the log does weigh on it: without it the same ward is planned otherwise
    assert plan_range(config, scripts, FIRST_DAY, days=7).items != asked_by_zone.items
