"""The plan: what plays at each slot occurrence, in order, where and for how long.

Pure and deterministic: the same config, scripts, history and durations give the same plan.
Every stage plans whole days with ``plan_range`` (through ``broadcast.playlog.history.plan_days``);
``plan_occurrence`` runs the same code for a single occurrence.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from broadcast.config import Config
from broadcast.schedule.airings import AiringPlanner
from broadcast.schedule.calendar import iso_week_start, local_midnight, occurrences
from broadcast.schedule.history import AiringHistory
from broadcast.schedule.model import Plan
from broadcast.schedule.summary import range_warnings
from broadcast.scripts.model import Script


def plan_range(
    config: Config,
    scripts: Sequence[Script],
    start: date | datetime,
    days: int = 1,
    history: AiringHistory | None = None,
    durations: Mapping[str, float] | None = None,
) -> Plan:
    """Plan every occurrence from ``start`` (a day, or an aware moment) for ``days`` days.

    ``durations`` maps script ids, ``"chime"`` and media files (``"media/x.mp3"``) to
    seconds, as rendered; scripts missing from it use ``Script.estimated_seconds``.
    """
    begin = _aware_start(config, start)
    end = local_midnight(begin.astimezone(config.timezone).date() + timedelta(days=days), config)
    # Campaign targets are weekly: plan to the end of the last week to judge them.
    last_week_end = iso_week_start((end - timedelta(microseconds=1)).date()) + timedelta(days=7)
    campaigns = any(s.times_per_week for s in scripts)
    horizon = max(end, local_midnight(last_week_end, config)) if campaigns else end
    with _cycle_collector_paused():
        planner = AiringPlanner(config, scripts, history, durations)
        if campaigns:
            # From the start of the first week, to hand the campaign pacer whole weeks.
            first_week = local_midnight(iso_week_start(begin.date()), config)
            found, skipped = occurrences(config, first_week, horizon)
            planner.pacer.know(found)
            found = [o for o in found if o.start >= begin]
            skipped = [s for s in skipped if s.start >= begin]
        else:
            found, skipped = occurrences(config, begin, horizon)
        items = [item for occurrence in found if (item := planner.plan(occurrence))]
        summary = range_warnings(
            config,
            planner.pacer.weeks.values(),
            planner.scripts.values(),
            planner.history,
            begin,
            end,
        )
    return Plan(
        start=begin,
        end=end,
        items=tuple(i for i in items if i.start < end),
        skipped=tuple(s for s in [*skipped, *planner.skipped] if s.start < end),
        warnings=tuple([w for w in planner.warnings if w.when is None or w.when < end] + summary),
    )


def plan_occurrence(
    config: Config,
    scripts: Sequence[Script],
    slot_id: str,
    start: datetime,
    history: AiringHistory | None = None,
    durations: Mapping[str, float] | None = None,
) -> Plan:
    """The plan of one occurrence of one slot, given the airings before it as ``history``."""
    begin = _aware_start(config, start)
    found, skipped = occurrences(config, begin, begin + timedelta(minutes=1))
    found = [o for o in found if o.slot.id == slot_id]
    skipped = [s for s in skipped if s.slot_id == slot_id]
    if not found and not skipped:
        raise ValueError(f"slot {slot_id!r} does not air at {begin.isoformat()}")
    planner = AiringPlanner(config, scripts, history, durations)
    items = [item for occurrence in found if (item := planner.plan(occurrence))]
    return Plan(
        start=begin,
        end=begin + timedelta(minutes=1),
        items=tuple(items),
        skipped=tuple(skipped + planner.skipped),
        warnings=tuple(planner.warnings),
    )


def _aware_start(config: Config, start: date | datetime) -> datetime:
    if not isinstance(start, datetime):
        return local_midnight(start, config)
    if start.tzinfo is None:
        raise ValueError("the planner needs an aware datetime")
    return start.astimezone(config.timezone)


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """A long plan is a hundred thousand small objects and no reference cycle; building it,
    Python's cycle collector rescans the growing heap again and again, a fifth of the time
    of a year's plan. Reference counting still frees everything while it is paused."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
