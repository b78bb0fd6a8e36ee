"""One day's plan beside what the play log says happened, line by line, each with its reason.

The plan is made again with the planner, with the log *before* that day as history, which is
how the daemon planned it, and with only the scripts the daemon had that day (``plan_as_aired``).
A plan line is one script or recording of one slot occurrence on one zone (chimes, intros and
outros are not lines). A log row belongs to a line when it has the same slot, zone and script
id (none, for recordings) and its scheduled time falls within that occurrence; rows that belong
to no line are listed as outside the plan (emergency bulletins, or a plan that has changed
since: timetable or scripts edited, scripts removed, audio re-rendered).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from broadcast.config import Config
from broadcast.config.model import SegmentKind
from broadcast.playlog import COMPLETED_OUTCOMES, Attempt, Outcome, PlayLog, reason_label_vi
from broadcast.playlog.history import plan_days
from broadcast.schedule import Plan, PlanItem, PlannedSegment, SkipReason, occurrences
from broadcast.scripts.model import Script

CONTENT_KINDS = (SegmentKind.SCRIPT, SegmentKind.AUDIO)
# a late start or a resumed remainder is still the same occurrence
_LATE_TOLERANCE = timedelta(minutes=5)


class LineStatus(StrEnum):
    AIRED = "aired"  # completed on that zone
    NOT_AIRED = "not_aired"  # logged, but not completed (missed, failed, cut …)
    PLAYING = "playing"  # an open row
    NO_RECORD = "no_record"  # planned, nothing in the log
    SKIPPED = "skipped"  # the plan itself leaves the occurrence out (holiday, quiet hours)
    UNPLANNED = "unplanned"  # in the log, not in the plan

    @property
    def label_vi(self) -> str:
        return _STATUS_LABELS_VI[self]


_STATUS_LABELS_VI = {
    LineStatus.AIRED: "đã phát",
    LineStatus.NOT_AIRED: "không phát trọn",
    LineStatus.PLAYING: "đang phát",
    LineStatus.NO_RECORD: "không có bản ghi",
    LineStatus.SKIPPED: "không phát theo lịch",
    LineStatus.UNPLANNED: "ngoài kế hoạch",
}
_SKIP_REASONS_VI = {SkipReason.HOLIDAY: "ngày lễ", SkipReason.QUIET_HOURS: "giờ yên tĩnh"}
NO_RECORD_REASON = "nhật ký không ghi lần phát này (chương trình phát không chạy?)"


@dataclass(frozen=True)
class ReconcileLine:
    at: datetime  # planned time, or the logged time for lines outside the plan
    slot_id: str | None
    zone: str | None
    script_id: str | None
    title: str
    status: LineStatus
    planned_seconds: float | None = None
    aired_seconds: float | None = None
    outcome: Outcome | None = None  # the last logged row's outcome
    reasons: tuple[str, ...] = ()  # Vietnamese, one per logged row that did not complete
    attempt_ids: tuple[int, ...] = ()


PLANNED_STATUSES = frozenset(
    {LineStatus.AIRED, LineStatus.NOT_AIRED, LineStatus.PLAYING, LineStatus.NO_RECORD}
)


def _segment_title(segment: PlannedSegment, titles: Mapping[str, str]) -> str:
    if segment.script_id is not None:
        return titles.get(segment.script_id, segment.script_id)
    return segment.file or segment.kind.value


def _belongs(attempt: Attempt, item: PlanItem, segment: PlannedSegment, zone: str) -> bool:
    airing = attempt.airing
    return (
        airing.slot_id == item.slot_id
        and airing.zone == zone
        and airing.script_id == segment.script_id
        and item.start <= airing.scheduled_at <= item.end + _LATE_TOLERANCE
    )


def _logged_line(base: ReconcileLine, rows: list[Attempt]) -> ReconcileLine:
    last = rows[-1]
    if last.is_open:
        status = LineStatus.PLAYING
    elif last.outcome in COMPLETED_OUTCOMES:
        status = LineStatus.AIRED
    else:
        status = LineStatus.NOT_AIRED
    reasons = tuple(
        f"{row.outcome.label_vi}: {reason_label_vi(row.reason) or row.error or '–'}"
        for row in rows
        if row.outcome is not None and row.outcome not in COMPLETED_OUTCOMES
    )
    return replace(
        base,
        status=base.status if base.status is LineStatus.UNPLANNED else status,
        aired_seconds=sum(row.aired_seconds or 0.0 for row in rows),
        outcome=last.outcome,
        reasons=reasons,
        attempt_ids=tuple(row.id for row in rows),
    )


def reconcile(
    plan: Plan, attempts: Sequence[Attempt], titles: Mapping[str, str]
) -> list[ReconcileLine]:
    """Lines for every planned script per zone, every skipped occurrence, every stray row."""
    unmatched = list(attempts)
    lines: list[ReconcileLine] = []
    for item in plan.items:
        for segment in (s for s in item.segments if s.kind in CONTENT_KINDS):
            for zone in segment.zones:
                rows = [a for a in unmatched if _belongs(a, item, segment, zone)]
                taken = {row.id for row in rows}
                unmatched = [a for a in unmatched if a.id not in taken]
                base = ReconcileLine(
                    at=item.start + timedelta(seconds=segment.offset_seconds),
                    slot_id=item.slot_id,
                    zone=zone,
                    script_id=segment.script_id,
                    title=_segment_title(segment, titles),
                    status=LineStatus.NO_RECORD,
                    planned_seconds=segment.duration_seconds,
                    reasons=(NO_RECORD_REASON,),
                )
                lines.append(_logged_line(base, rows) if rows else base)
    for skipped in plan.skipped:
        reason = _SKIP_REASONS_VI.get(skipped.reason, skipped.reason)
        lines.append(
            ReconcileLine(
                at=skipped.start,
                slot_id=skipped.slot_id,
                zone=None,
                script_id=None,
                title="",
                status=LineStatus.SKIPPED,
                reasons=(f"{reason}: {skipped.detail}" if skipped.detail else reason,),
            )
        )
    for attempt in unmatched:
        airing = attempt.airing
        base = ReconcileLine(
            at=attempt.occurred_at,
            slot_id=airing.slot_id,
            zone=airing.zone,
            script_id=airing.script_id,
            title=airing.title,
            status=LineStatus.UNPLANNED,
            planned_seconds=airing.planned_seconds,
        )
        lines.append(_logged_line(base, [attempt]))
    # stable: lines at the same moment keep the plan's order (zones as declared)
    return sorted(lines, key=lambda line: line.at)


def plan_as_aired(
    config: Config,
    scripts: Sequence[Script],
    day: date,
    log: PlayLog,
    attempts: Sequence[Attempt],
    first_logged: Mapping[str, datetime] | None = None,
    durations: Mapping[str, float] | None = None,
) -> Plan:
    """``day`` planned again as the daemon planned it, as near as the log (``attempts``: that
    day's rows) can tell.

    The folder is read as it is now, so a script dropped in later would take a place it never
    had on the air. On a day the daemon logged its airings, each occurrence is planned with only
    the scripts the log knew by the next occurrence: one the daemon neither played nor
    accounted for by then was either not in the folder yet or not chosen, and leaving out a
    script that was not chosen changes no choice. (A daemon restarted after a script arrived
    logs the airings it missed as planned with that script: they are still matched.)
    """
    if not any(attempt.airing.slot_id is not None for attempt in attempts):
        return plan_days(config, scripts, day, log, durations=durations)
    seen = log.first_logged() if first_logged is None else first_logged
    midnight = datetime.combine(day, datetime.min.time(), config.timezone)
    end = midnight + timedelta(days=1)
    starts = sorted({found.start for found in occurrences(config, midnight, end)[0]})
    plans: dict[frozenset[str], Plan] = {}
    items: list[PlanItem] = []
    plan = None
    for start, bound in zip(starts, [*starts[1:], end], strict=True):
        known = [s for s in scripts if s.id in seen and seen[s.id] < bound]
        key = frozenset(s.id for s in known)
        if key not in plans:
            plans[key] = plan_days(config, known, day, log, durations=durations)
        plan = plans[key]
        items.extend(item for item in plan.items if item.start == start)
    if plan is None:  # no occurrence that day: rows of bulletins only
        return plan_days(config, scripts, day, log, durations=durations)
    return replace(plan, items=tuple(items))


def lines_against_plan(
    config: Config,
    scripts: Sequence[Script],
    days: Sequence[date],
    attempts: Sequence[Attempt],
    log: PlayLog,
    durations: Mapping[str, float] | None = None,
) -> list[ReconcileLine]:
    """``reconcile`` day by day over ``days``, each day planned with the history before it."""
    by_day: dict[date, list[Attempt]] = {}
    for attempt in attempts:
        by_day.setdefault(attempt.occurred_at.astimezone(config.timezone).date(), []).append(
            attempt
        )
    titles = {script.id: script.title for script in scripts}
    seen = log.first_logged()
    lines = []
    for day in days:
        rows = by_day.get(day, [])
        plan = plan_as_aired(config, scripts, day, log, rows, seen, durations)
        lines.extend(reconcile(plan, rows, titles))
    return lines
