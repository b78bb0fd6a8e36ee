"""The play log as the planner's history, and a day's plan as the daemon makes it.

Every consumer of "what plays today" — the daemon, ``broadcast plan``, ``reconcile`` and the
reports — plans a day from its midnight with only the log *before* that midnight as history.
The planner then replays the day's earlier slots itself, so the same inputs always give the
same day, whether it is asked at 05:59 or at 17:29, and the plan and the air cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta

from broadcast.approval import ApprovalEvent, Judgement, approved_only, judge_all
from broadcast.audio.manifest import AudioManifest
from broadcast.config import Config
from broadcast.paths import ProjectPaths
from broadcast.playlog.store import PlayLog, database_path
from broadcast.schedule import Plan, PlanItem, plan_range
from broadcast.schedule.calendar import occurrences
from broadcast.scripts.model import Script


class HistoryBefore:
    """The play log as ``AiringHistory``, seen from ``cutoff``: later plays do not count."""

    def __init__(self, log: PlayLog, cutoff: datetime):
        self._log = log
        self._cutoff = cutoff

    def last_aired(self, script_id: str, zone: str | None = None) -> datetime | None:
        return self._log.last_aired(script_id, zone, before=self._cutoff)

    def last_aired_by_zone(self, script_id: str) -> dict[str, datetime]:
        return self._log.last_aired_by_zone(script_id, before=self._cutoff)

    def count_aired(self, script_id: str, start: datetime, end: datetime) -> int:
        return self._log.count_aired(script_id, start, min(end, self._cutoff))


def plan_days(
    config: Config,
    scripts: Sequence[Script],
    first_day: date,
    log: PlayLog | None,
    days: int = 1,
    durations: Mapping[str, float] | None = None,
) -> Plan:
    """The plan from ``first_day``'s midnight, with the log before it (if any) as history."""
    midnight = datetime.combine(first_day, datetime.min.time(), config.timezone)
    history = HistoryBefore(log, midnight) if log is not None else None
    return plan_range(config, scripts, first_day, days=days, history=history, durations=durations)


def plan_as_known(
    config: Config,
    scripts: Sequence[Script],
    day: date,
    log: PlayLog,
    arrivals: Mapping[str, datetime],
    aired: Mapping[str, PlanItem],
    durations: Mapping[str, float] | None = None,
) -> Plan:
    """``day`` as the daemon could have planned it, for airings already due.

    An airing that started keeps the plan it started with (``aired``, recorded by the log);
    any other is planned with only the scripts first seen before its start (``arrivals``): a
    script dropped in later never takes a place it could not have had. Scripts with no
    arrival are taken as unknown.
    """
    midnight = datetime.combine(day, datetime.min.time(), config.timezone)
    starts = sorted({found.start for found in occurrences(config, midnight, midnight + _DAY)[0]})
    plans: dict[frozenset[str], Plan] = {}
    items: dict[str, PlanItem] = {}
    for start in starts:
        known = [s for s in scripts if s.id in arrivals and arrivals[s.id] < start]
        key = frozenset(s.id for s in known)
        if key not in plans:
            plans[key] = plan_days(config, known, day, log, durations=durations)
        items.update((item.id, item) for item in plans[key].items if item.start == start)
    items.update((item_id, item) for item_id, item in aired.items() if item.start.date() == day)
    # skipped occurrences and warnings as of the day's end, with every script known by then
    day_end = midnight + _DAY
    known_by_end = [s for s in scripts if s.id in arrivals and arrivals[s.id] < day_end]
    whole = plan_days(config, known_by_end, day, log, durations=durations)
    return replace(whole, items=tuple(sorted(items.values(), key=lambda i: (i.start, i.slot_id))))


_DAY = timedelta(days=1)


def plannable(
    config: Config, scripts: Sequence[Script], manifest: AudioManifest, log: PlayLog | None
) -> tuple[list[Script], dict[str, Judgement]]:
    """The scripts the planner may take, and every script's approval: all that have audio or
    can have it (``AudioManifest.airable``) and, with ``approval: required``, whose current
    text (and audio, with ``listen``) is approved. The daemon, ``plan`` and ``check`` ask here."""
    events = log.approval_events() if log is not None else []
    judgements = judge_all(scripts, events, config.approval, manifest)
    return approved_only(manifest.airable(scripts), judgements), judgements


def approved_at(
    config: Config, scripts: Sequence[Script], events: Sequence[ApprovalEvent]
) -> dict[str, datetime]:
    """When the approval in force now for each of ``scripts`` was recorded (scripts without
    one are left out). Judged without audio: a past day is planned with the texts, not with
    whether their audio was listened to."""
    judgements = judge_all(scripts, events, config.approval)
    return {key: j.approval.at for key, j in judgements.items() if j.approval is not None}


def known_from(
    moments: Mapping[str, datetime], approved: Mapping[str, datetime]
) -> dict[str, datetime]:
    """Each script known from its moment (first seen, first logged), or from its approval if
    that came later: a slot before the approval is no miss of it. Unapproved ones are left
    out."""
    return {key: max(moment, approved[key]) for key, moment in moments.items() if key in approved}


@contextmanager
def open_history(paths: ProjectPaths, config: Config) -> Iterator[PlayLog | None]:
    """The play log for reading, or ``None`` while nothing has ever been played."""
    if not database_path(paths).exists():
        yield None
        return
    with PlayLog.open_for_reading(paths, timezone=config.timezone) as log:
        yield log
