"""The timetable: from settings, scripts and history to a plan of what plays when and where.

``plan_range`` previews days ahead (``broadcast plan``); ``plan_occurrence`` is what the daemon
asks at air time. Both run the same code, so the preview and the air agree.
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
