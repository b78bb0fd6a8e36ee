"""A past day's plan, as exactly as the play log allows: what reconcile and the report compare.

An airing that started has its plan recorded in the log (``PlayLog.aired_plans``): that plan is
used as it is. Any other airing of the day (missed, skipped, or from a log older than those
records) is planned again, from the day's midnight with the log before it as history, with the
scripts the daemon could air and their rendered lengths (``Timetable``, read the way the
daemon and ``broadcast plan`` read them), and with only the scripts it had by then: as the
log recorded their arrival (``PlayLog.script_arrivals``), else, for days before those
records, as its rows tell (``PlayLog.first_logged``).

With ``approval: required`` a script could be planned at a moment only once the approval in
force for it now had been recorded: its "arrival" is the later of the two, so a slot before
the approval is never reported as missed for it. Scripts not approved now are not planned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from broadcast.approval import ApprovalEvent
from broadcast.audio.manifest import AudioManifest
from broadcast.config import Config
from broadcast.paths import ProjectPaths
from broadcast.playlog import Attempt, PlayLog
from broadcast.playlog.history import (
    approved_at,
    known_from,
    open_history,
    plan_as_known,
    plan_days,
    plannable,
)
from broadcast.report.labels import Labels
from broadcast.report.places import ZoneClusters
from broadcast.schedule import Plan, PlanItem, occurrences
from broadcast.scripts.model import Script

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Timetable:
    """What planning a past day needs, read once for ``report`` and ``reconcile``."""

    config: Config
    # those that can be planned: with audio (``AudioManifest.airable``) and, with approval
    # required, approved as they read now (``plannable``)
    scripts: tuple[Script, ...]
    durations: Mapping[str, float]  # rendered lengths, as the daemon plans with them
    titles: Mapping[str, str]  # every valid script's title, by id
    labels: Labels  # zone, topic and IP cluster names
    # every valid script with a weekly target, airable or not: a target missed because its
    # audio could not be made is still missed
    campaigns: tuple[Script, ...] = ()
    # which IP clusters served which zone when (the registry's history), read once
    clusters: ZoneClusters = field(default_factory=ZoneClusters)

    @classmethod
    def read(cls, paths: ProjectPaths, config: Config, scripts: Sequence[Script]) -> Timetable:
        manifest = AudioManifest.load(paths)
        with open_history(paths, config) as log:
            planned, _ = plannable(config, scripts, manifest, log)
        clusters = ZoneClusters.read(paths, config)
        return cls(
            config,
            tuple(planned),
            manifest.planning_durations(),
            {script.id: script.title for script in scripts},
            Labels.from_config(config).with_clusters(clusters.names()),
            tuple(script for script in scripts if script.times_per_week),
            clusters,
        )


@dataclass(frozen=True)
class LogFacts:
    """What the log tells about the scripts the daemon had; read once for many days."""

    arrivals: Mapping[str, datetime]  # ``PlayLog.script_arrivals``
    first_logged: Mapping[str, datetime]  # ``PlayLog.first_logged``
    approvals: Sequence[ApprovalEvent] = ()  # ``PlayLog.approval_events``
    # ``approved_since`` by the scripts asked about: a month's reconcile asks once a day, and
    # judging hashes each text (and each recording's file) again
    _since: dict[tuple[tuple[str, str], ...], dict[str, datetime]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def read(cls, log: PlayLog) -> LogFacts:
        return cls(log.script_arrivals(), log.first_logged(), log.approval_events())

    def approved_since(self, config: Config, scripts: Sequence[Script]) -> dict[str, datetime]:
        """When the approval in force now for each of ``scripts`` was recorded (those without
        one are left out). Judged without audio: whether the audio was listened to is for
        the scripts given (``Timetable.scripts``) to have settled already."""
        key = tuple((script.id, script.content_hash) for script in scripts)
        if key not in self._since:
            self._since[key] = approved_at(config, scripts, self.approvals)
        return self._since[key]

    def recorded_arrivals_by(self, moment: datetime) -> bool:
        """Whether arrivals were being recorded by ``moment`` (the log is new enough)."""
        return bool(self.arrivals) and min(self.arrivals.values()) <= moment


def plan_as_aired(
    config: Config,
    scripts: Sequence[Script],
    day: date,
    log: PlayLog,
    attempts: Sequence[Attempt],
    *,
    durations: Mapping[str, float] | None = None,
    facts: LogFacts | None = None,
    aired: Mapping[str, PlanItem] | None = None,
) -> Plan:
    """``day`` as the daemon planned it, from ``scripts`` (those it could air, with their
    rendered ``durations``). ``attempts``: the day's rows; ``aired``: the plans the log
    recorded for the day's airings (read from the log when not given)."""
    midnight = datetime.combine(day, datetime.min.time(), config.timezone)
    facts = LogFacts.read(log) if facts is None else facts
    if aired is None:
        aired = log.aired_plans(since=midnight, until=midnight + DAY)
    since = facts.approved_since(config, scripts) if config.approval.required else None
    if since is not None:
        scripts = [script for script in scripts if script.id in since]
    if facts.recorded_arrivals_by(midnight):
        arrivals = _not_before(facts.arrivals, since)
        return plan_as_known(config, scripts, day, log, arrivals, aired, durations=durations)
    if since is not None:  # a day before arrivals were recorded: approved by its end, at least
        scripts = [script for script in scripts if since[script.id] < midnight + DAY]
    seen = _not_before(facts.first_logged, since)
    plan = _plan_as_logged(config, scripts, day, log, attempts, seen, durations)
    return _with_aired(plan, aired)


def _not_before(
    moments: Mapping[str, datetime], since: Mapping[str, datetime] | None
) -> Mapping[str, datetime]:
    """Each script known from its moment, or from its approval if that came later."""
    return moments if since is None else known_from(moments, since)


def _plan_as_logged(
    config: Config,
    scripts: Sequence[Script],
    day: date,
    log: PlayLog,
    attempts: Sequence[Attempt],
    seen: Mapping[str, datetime],
    durations: Mapping[str, float] | None,
) -> Plan:
    """A day from before arrivals were recorded, planned with the scripts its rows tell of.

    On a day the daemon logged its airings, each occurrence is planned with only the scripts
    the log knew by the next occurrence: one the daemon neither played nor accounted for by
    then was either not in the folder yet or not chosen, and leaving out a script that was not
    chosen changes no choice. A day with no airing logged is planned with every script.
    """
    if not any(attempt.airing.slot_id is not None for attempt in attempts):
        return plan_days(config, scripts, day, log, durations=durations)
    midnight = datetime.combine(day, datetime.min.time(), config.timezone)
    starts = sorted({found.start for found in occurrences(config, midnight, midnight + DAY)[0]})
    plans: dict[frozenset[str], Plan] = {}
    items: list[PlanItem] = []
    plan = None
    for start, bound in zip(starts, [*starts[1:], midnight + DAY], strict=True):
        known = [s for s in scripts if s.id in seen and seen[s.id] < bound]
        key = frozenset(s.id for s in known)
        if key not in plans:
            plans[key] = plan_days(config, known, day, log, durations=durations)
        plan = plans[key]
        items.extend(item for item in plan.items if item.start == start)
    if plan is None:  # no occurrence that day: rows of bulletins only
        return plan_days(config, scripts, day, log, durations=durations)
    return replace(plan, items=tuple(items))


def _with_aired(plan: Plan, aired: Mapping[str, PlanItem]) -> Plan:
    """``plan`` with each airing the log recorded as it started, in place of its replanning."""
    if not aired:
        return plan
    items = {item.id: item for item in plan.items} | dict(aired)
    started = {(item.slot_id, item.start) for item in aired.values()}
    return replace(
        plan,
        items=tuple(sorted(items.values(), key=lambda item: (item.start, item.slot_id))),
        skipped=tuple(s for s in plan.skipped if (s.slot_id, s.start) not in started),
    )
