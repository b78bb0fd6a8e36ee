"""The timetable: from settings, scripts and history to a plan of what plays when and where.

``plan_range`` plans whole days. The daemon, ``broadcast plan``, ``reconcile`` and the reports
all reach it through ``broadcast.playlog.history.plan_days`` (a day from its midnight, the play
log before it as history), so the preview and the air agree. ``plan_occurrence`` plans one
occurrence alone, from the history of the airings before it; no stage uses it, the tests use it
to show that such a plan is the airing the whole-day plan gave.
"""

from broadcast.schedule.calendar import Occurrence, holiday_name, occurrences
from broadcast.schedule.history import AiringHistory, MemoryHistory
from broadcast.schedule.model import (
    Plan,
    PlanItem,
    PlannedSegment,
    PlanWarning,
    SkippedOccurrence,
    SkipReason,
)
from broadcast.schedule.planner import plan_occurrence, plan_range

__all__ = [
    "AiringHistory",
    "MemoryHistory",
    "Occurrence",
    "Plan",
    "PlanItem",
    "PlanWarning",
    "PlannedSegment",
    "SkipReason",
    "SkippedOccurrence",
    "holiday_name",
    "occurrences",
    "plan_occurrence",
    "plan_range",
]
