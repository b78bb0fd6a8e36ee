"""Days' plans beside what the play log says happened, line by line, each with its reason.

Each day's plan is the one its airings started with, or planned again (``replan``). A plan line
is one script or recording of one slot occurrence on one zone (chimes, intros and outros are
not lines). A log row belongs to the line with the same slot, zone and script id (none, for
recordings) planned for its exact scheduled instant: the daemon logs each segment at its
item's start plus the segment's offset. A row at no planned instant (a day planned again, with
lengths that may have changed since) belongs to the latest occurrence of its slot begun by
then that could still be on the air. On an IP zone a plan line is one line per place
(``places``): each cluster that served the zone at that instant, by the registry's history
(one that sent no row has its own line, "no record"), and any other cluster that logged it;
an IP zone no cluster served is one line saying so. An announcement (emergency or priority
bulletin) is one line whatever its zones, outside the plan; other rows that belong to no line
are listed as outside the plan (a plan that has changed since: timetable edited, scripts
removed). A planned line after the moment of reconciling, with no row, is still to come.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from broadcast.config.model import SegmentKind
from broadcast.playlog import Attempt, Outcome, PlayLog
from broadcast.playlog.model import BulletinRecord
from broadcast.report.labels import Labels
from broadcast.report.places import (
    NO_CLUSTER_REASON,
    ZoneClusters,
    places_of,
    rows_by_cluster,
    silent_cluster_reason,
)
from broadcast.report.plays import (
    AiredBulletin,
    PlayState,
    announcements,
    delivered_seconds,
    is_announcement,
    play_state,
    row_problems,
)
from broadcast.report.replan import DAY, LogFacts, Timetable, plan_as_aired
from broadcast.schedule import Plan, PlanItem, PlannedSegment, SkipReason

CONTENT_KINDS = (SegmentKind.SCRIPT, SegmentKind.AUDIO)
# a late start or a resumed remainder is still the same occurrence
_LATE_TOLERANCE = timedelta(minutes=5)
# an announcement asked for just before the first day may air on it
_ANNOUNCEMENT_LEAD = timedelta(hours=1)


class LineStatus(StrEnum):
    AIRED = "aired"  # completed on that zone's loudspeakers
    TO_FILE = "to_file"  # completed only into a WAV file: no loudspeaker played it
    NOT_AIRED = "not_aired"  # logged, but not completed (missed, failed, cut …)
    PLAYING = "playing"  # an open row
    NO_RECORD = "no_record"  # planned, nothing in the log
    UPCOMING = "upcoming"  # planned later than now, nothing in the log yet
    SKIPPED = "skipped"  # the plan itself leaves the occurrence out (holiday, quiet hours)
    BULLETIN = "bulletin"  # an emergency or priority announcement: outside the plan
    UNPLANNED = "unplanned"  # in the log, not in the plan

    @property
    def label_vi(self) -> str:
        return _STATUS_LABELS_VI[self]


_STATUS_LABELS_VI = {
    LineStatus.AIRED: "đã phát",
    LineStatus.TO_FILE: PlayState.TO_FILE.label_vi,
    LineStatus.NOT_AIRED: "không phát trọn",
    LineStatus.PLAYING: "đang phát",
    LineStatus.NO_RECORD: "không có bản ghi",
    LineStatus.UPCOMING: "chưa đến giờ",
    LineStatus.SKIPPED: "không phát theo lịch",
    LineStatus.BULLETIN: "thông báo khẩn cấp, ưu tiên",
    LineStatus.UNPLANNED: "ngoài kế hoạch",
}
_LINE_STATUS = {
    PlayState.HEARD: LineStatus.AIRED,
    PlayState.TO_FILE: LineStatus.TO_FILE,
    PlayState.NOT_AIRED: LineStatus.NOT_AIRED,
    PlayState.OPEN: LineStatus.PLAYING,
}
_SKIP_REASONS_VI = {SkipReason.HOLIDAY: "ngày lễ", SkipReason.QUIET_HOURS: "giờ yên tĩnh"}
NO_RECORD_REASON = "nhật ký không ghi lần phát này (chương trình phát không chạy?)"

# lines that count as planned plays on a zone (announcements and strays are outside the plan)
PLANNED_STATUSES = frozenset(
    {
        LineStatus.AIRED,
        LineStatus.TO_FILE,
        LineStatus.NOT_AIRED,
        LineStatus.PLAYING,
        LineStatus.NO_RECORD,
        LineStatus.UPCOMING,
    }
)


@dataclass(frozen=True)
class ReconcileLine:
    at: datetime  # planned time, or the logged time for lines outside the plan
    slot_id: str | None
    zone: str | None  # None for an announcement: its zones are in ``zones``
    script_id: str | None
    title: str
    status: LineStatus
    planned_seconds: float | None = None
    aired_seconds: float | None = None  # delivered to loudspeakers, at most once the item
    outcome: Outcome | None = None  # the last logged row's outcome
    reasons: tuple[str, ...] = ()  # Vietnamese, one per logged row that did not complete
    attempt_ids: tuple[int, ...] = ()
    zones: tuple[str, ...] = ()  # an announcement's zones
    cluster_id: str | None = None  # the IP cluster of ``zone`` the line is about; None: wired


def _segment_title(segment: PlannedSegment, titles: Mapping[str, str]) -> str:
    if segment.script_id is not None:
        return titles.get(segment.script_id, segment.script_id)
    return segment.file or segment.kind.value


@dataclass(frozen=True)
class _Planned:
    """One plan line before the log is read: a content segment of an occurrence on a zone."""

    item: PlanItem
    segment: PlannedSegment
    zone: str

    @property
    def at(self) -> datetime:
        return self.item.start + timedelta(seconds=self.segment.offset_seconds)

    def same_part(self, attempt: Attempt) -> bool:
        airing = attempt.airing
        return (airing.slot_id, airing.zone, airing.script_id) == (
            self.item.slot_id,
            self.zone,
            self.segment.script_id,
        )

    def could_be_on_air(self, moment: datetime) -> bool:
        return self.item.start <= moment <= self.item.end + _LATE_TOLERANCE


def _to_log_precision(moment: datetime) -> datetime:
    """``moment`` as the play log stores it: to the millisecond, cut, not rounded."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _match(
    planned: Sequence[_Planned], attempts: Sequence[Attempt]
) -> tuple[list[list[Attempt]], list[Attempt]]:
    """Each planned line's rows (in log order), and the rows that belong to none."""
    exact: dict[tuple[str | None, str, str | None, datetime], int] = {
        (line.item.slot_id, line.zone, line.segment.script_id, _to_log_precision(line.at)): n
        for n, line in reversed(list(enumerate(planned)))  # a repeated key: the first line
    }
    found: list[list[Attempt]] = [[] for _ in planned]
    stray = []
    for attempt in attempts:
        airing = attempt.airing
        at = _to_log_precision(airing.scheduled_at)
        n = exact.get((airing.slot_id, airing.zone, airing.script_id, at))
        if n is None:
            # Not at a planned instant: the occurrence of its part begun last before it.
            candidates = [
                m
                for m, line in enumerate(planned)
                if line.same_part(attempt) and line.could_be_on_air(airing.scheduled_at)
            ]
            n = max(candidates, key=lambda m: planned[m].item.start, default=None)
        if n is None:
            stray.append(attempt)
        else:
            found[n].append(attempt)
    return found, stray


def _logged_line(base: ReconcileLine, rows: list[Attempt]) -> ReconcileLine:
    status = _LINE_STATUS[play_state(rows)]
    return replace(
        base,
        status=base.status if base.status is LineStatus.UNPLANNED else status,
        aired_seconds=delivered_seconds(rows, base.planned_seconds),
        outcome=rows[-1].outcome,
        reasons=row_problems(rows),
        attempt_ids=tuple(row.id for row in rows),
    )


def _announcement_line(announcement: AiredBulletin, labels: Labels) -> ReconcileLine:
    kind = announcement.priority_vi
    problems = [
        f"{labels.place(*place)}: {problem}"
        for place in announcement.places
        if (problem := announcement.problem(place)) is not None
    ]
    planned = [row.airing.planned_seconds or 0.0 for row in announcement.rows]
    return ReconcileLine(
        at=announcement.at,
        slot_id=None,
        zone=None,
        script_id=None,
        title=f"[{kind.upper()}] {announcement.title}" if kind else announcement.title,
        status=LineStatus.BULLETIN,
        planned_seconds=max(planned, default=None),
        aired_seconds=announcement.seconds,
        outcome=announcement.rows[-1].outcome if announcement.rows else None,
        reasons=tuple(problems),
        attempt_ids=tuple(row.id for row in announcement.rows),
        zones=announcement.zones,
    )


def _place_lines(
    base: ReconcileLine, rows: Sequence[Attempt], clusters: ZoneClusters | None, due: bool
) -> list[ReconcileLine]:
    """One planned line's lines, one per place of its zone (a wired zone: one line)."""
    zone = base.zone or ""
    places = places_of(zone, base.at, rows, clusters)
    if not places:  # an IP zone no cluster served then: nobody could play it
        return [replace(base, reasons=(NO_CLUSTER_REASON,))]
    by_cluster = rows_by_cluster(rows)
    lines = []
    for cluster in places:
        line = replace(base, cluster_id=cluster)
        found = by_cluster.get(cluster)
        if found:
            lines.append(_logged_line(line, found))
        elif cluster is not None and due:
            lines.append(replace(line, reasons=(silent_cluster_reason(cluster),)))
        else:
            lines.append(line)
    return lines


def reconcile(
    plan: Plan,
    attempts: Sequence[Attempt],
    titles: Mapping[str, str],
    bulletins: Mapping[str, BulletinRecord] | None = None,
    labels: Labels | None = None,
    now: datetime | None = None,
    clusters: ZoneClusters | None = None,
) -> list[ReconcileLine]:
    """Lines for every planned script per place (zone, or IP cluster of a zone: ``clusters``,
    the registry's history; ``None``: every zone is wired), every skipped occurrence, every
    announcement (with its record from ``bulletins``, by id; its places' problems named by
    ``labels``) and every stray row. A planned line after ``now`` with no row is upcoming
    (``None``: every line is due, as on an ended day)."""
    planned = [
        _Planned(item, segment, zone)
        for item in plan.items
        for segment in item.segments
        if segment.kind in CONTENT_KINDS
        for zone in segment.zones
    ]
    found, unmatched = _match(planned, [a for a in attempts if not is_announcement(a)])
    lines: list[ReconcileLine] = []
    for line, rows in zip(planned, found, strict=True):
        due = now is None or line.at <= now
        base = ReconcileLine(
            at=line.at,
            slot_id=line.item.slot_id,
            zone=line.zone,
            script_id=line.segment.script_id,
            title=_segment_title(line.segment, titles),
            status=LineStatus.NO_RECORD if due else LineStatus.UPCOMING,
            planned_seconds=line.segment.duration_seconds,
            reasons=(NO_RECORD_REASON,) if due else (),
        )
        lines += _place_lines(base, rows, clusters, due)
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
    lines += [
        _announcement_line(found, labels or Labels())
        for found in announcements(attempts, bulletins, clusters)
    ]
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
            cluster_id=attempt.cluster_id,
        )
        lines.append(_logged_line(base, [attempt]))
    # stable: lines at the same moment keep the plan's order (zones as declared)
    return sorted(lines, key=lambda line: line.at)


@dataclass(frozen=True)
class Reconciliation:
    """Days reconciled, and how many of their airings were compared with the plan the log
    recorded as they started (exact) or with a plan made again (as near as the log tells)."""

    days: tuple[date, ...]
    lines: tuple[ReconcileLine, ...]
    recorded_items: int
    replanned_items: int

    def counts(self) -> Counter[LineStatus]:
        return Counter(line.status for line in self.lines)

    @property
    def planned(self) -> int:
        """Plays on a zone the plan had (announcements and strays are outside it)."""
        return sum(line.status in PLANNED_STATUSES for line in self.lines)


def reconcile_days(
    timetable: Timetable,
    log: PlayLog,
    days: Sequence[date],
    attempts: Sequence[Attempt] | None = None,
    now: datetime | None = None,
) -> Reconciliation:
    """``reconcile`` day by day over ``days`` (in order); ``attempts``: rows covering them, read
    from the log when not given; ``now``: the moment of reconciling (``None`` for ended days)."""
    if not days:
        return Reconciliation((), (), 0, 0)
    timezone = timetable.config.timezone
    start = datetime.combine(days[0], datetime.min.time(), timezone)
    end = datetime.combine(days[-1], datetime.min.time(), timezone) + DAY
    if attempts is None:
        attempts = log.attempts(since=start, until=end)
    by_day: dict[date, list[Attempt]] = {}
    for attempt in attempts:
        by_day.setdefault(attempt.occurred_at.astimezone(timezone).date(), []).append(attempt)
    aired_by_day: dict[date, dict[str, PlanItem]] = {}
    for item_id, item in log.aired_plans(since=start, until=end).items():
        aired_by_day.setdefault(item.start.astimezone(timezone).date(), {})[item_id] = item
    records = _records_by_day(log, by_day, start, end, timezone)
    facts = LogFacts.read(log)
    lines: list[ReconcileLine] = []
    recorded = replanned = 0
    for day in days:
        rows, aired = by_day.get(day, []), aired_by_day.get(day, {})
        plan = plan_as_aired(
            timetable.config,
            timetable.scripts,
            day,
            log,
            rows,
            durations=timetable.durations,
            facts=facts,
            aired=aired,
        )
        from_record = sum(item.id in aired for item in plan.items)
        recorded, replanned = recorded + from_record, replanned + len(plan.items) - from_record
        lines += reconcile(
            plan,
            rows,
            timetable.titles,
            records.get(day),
            timetable.labels,
            now=now,
            clusters=timetable.clusters,
        )
    return Reconciliation(tuple(days), tuple(lines), recorded, replanned)


def _records_by_day(
    log: PlayLog,
    by_day: Mapping[date, Sequence[Attempt]],
    start: datetime,
    end: datetime,
    timezone: tzinfo,
) -> dict[date, dict[str, BulletinRecord]]:
    """Each announcement's record on the day its rows aired, else on the day it was asked for
    (one that never logged a row)."""
    aired_on = {
        row.airing.bulletin_id: day
        for day, rows in by_day.items()
        for row in rows
        if row.airing.bulletin_id is not None
    }
    found: dict[date, dict[str, BulletinRecord]] = {}
    for record in log.bulletins(since=start - _ANNOUNCEMENT_LEAD, until=end):
        day = aired_on.get(record.id, record.requested_at.astimezone(timezone).date())
        found.setdefault(day, {})[record.id] = record
    return found
