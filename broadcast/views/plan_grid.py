"""The plan as ``broadcast plan`` and the console's "Lịch phát" grid show it: computed once
(approval judgements, the audio's planning durations, the log as history), then one row per
segment with its time, slot, content and duration, and a cell per zone for the grid."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from broadcast.approval import Judgement
from broadcast.audio.manifest import AudioManifest
from broadcast.config import Config
from broadcast.config.model import SegmentKind
from broadcast.paths import ProjectPaths
from broadcast.playlog.history import open_history, plan_days, plannable
from broadcast.playlog.store import PlayLog
from broadcast.schedule import Plan, PlanItem, PlannedSegment, SkipReason
from broadcast.schedule.labels import clock_label, day_label
from broadcast.scripts import Script
from broadcast.views.durations import minutes_seconds

KIND_LABELS = {
    SegmentKind.CHIME: "Nhạc hiệu",
    SegmentKind.INTRO: "Mở đầu",
    SegmentKind.AUDIO: "Âm thanh",
    SegmentKind.OUTRO: "Kết thúc",
}
EMERGENCY_MARK = "[KHẨN CẤP] "


@dataclass(frozen=True)
class PlannedWeek:
    """The plan for some days and every script's approval judgement."""

    plan: Plan
    judgements: Mapping[str, Judgement]


def compute_plan(
    paths: ProjectPaths, config: Config, scripts: Sequence[Script], start: date, days: int
) -> PlannedWeek:
    """What ``plan`` computes: the approved, airable scripts planned from ``start``."""
    with open_history(paths, config) as log:
        return plan_from(log, AudioManifest.load(paths), config, scripts, start, days)


def plan_from(
    log: PlayLog | None,
    manifest: AudioManifest,
    config: Config,
    scripts: Sequence[Script],
    start: date,
    days: int,
) -> PlannedWeek:
    """``compute_plan`` with the log (``None``: nothing played yet) and the audio manifest
    already open: every input of the plan is an argument here."""
    chosen, judgements = plannable(config, scripts, manifest, log)
    plan = plan_days(config, chosen, start, log, days=days, durations=manifest.planning_durations())
    return PlannedWeek(plan, judgements)


def left_out(judgements: Mapping[str, Judgement]) -> list[Judgement]:
    """The scripts the planner leaves out for want of approval, by id."""
    return sorted((j for j in judgements.values() if not j.airable), key=lambda j: j.script_id)


Shorten = Callable[[str], str]


def segment_content(
    segment: PlannedSegment, scripts: Mapping[str, Script], shorten: Shorten | None = None
) -> str:
    """What a segment airs, in words: a chime or intro by its file, a script by its title
    (through ``shorten`` when given: the terminal cuts long titles)."""
    if segment.kind in KIND_LABELS:
        label = KIND_LABELS[segment.kind]
        return f"{label}: {segment.file}" if segment.file else label
    script = scripts.get(segment.script_id or "")
    title = script.title if script else segment.script_id or ""
    if shorten is not None:
        title = shorten(title)
    return (EMERGENCY_MARK if segment.emergency else "") + title


@dataclass(frozen=True)
class GridRow:
    time: str
    slot: str  # on the item's first row only
    zones: tuple[str, ...]  # zone ids the segment airs on
    content: str
    duration: str
    end: bool = False  # the item's closing row: "(hết, tổng m:ss)"


def item_rows(
    item: PlanItem, scripts: Mapping[str, Script], shorten: Shorten | None = None
) -> list[GridRow]:
    """One row per segment of ``item``, then its end with the total."""
    rows = [
        GridRow(
            time=clock_label(item.start + timedelta(seconds=segment.offset_seconds)),
            slot=item.slot_name if index == 0 else "",
            zones=tuple(segment.zones),
            content=segment_content(segment, scripts, shorten),
            duration=minutes_seconds(segment.duration_seconds),
        )
        for index, segment in enumerate(item.segments)
    ]
    rows.append(
        GridRow(
            time=clock_label(item.end),
            slot="",
            zones=(),
            content=f"(hết, tổng {minutes_seconds(item.duration_seconds)})",
            duration="",
            end=True,
        )
    )
    return rows


@dataclass
class PlanDay:
    day: date
    label: str
    items: list[PlanItem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "Không phát 06:00 Sáng: nghỉ lễ: …"
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanByDay:
    days: list[PlanDay]
    general: list[str]  # warnings dated to no day shown


def plan_by_day(plan: Plan, config: Config, start: date, days: int) -> PlanByDay:
    """The plan's items, skips and warnings sorted into its days; a warning dated to a day not
    shown (a campaign week that began earlier) goes with the general ones, whose message names
    its dates, rather than dropped."""
    shown = {start + timedelta(days=i): PlanDay(start + timedelta(days=i), "") for i in range(days)}
    for entry in shown.values():
        entry.label = day_label(entry.day)
    general: list[str] = []
    for item in plan.items:
        if item.start.date() in shown:
            shown[item.start.date()].items.append(item)
    for skipped in plan.skipped:
        if skipped.start.date() not in shown:
            continue
        slot = config.slot(skipped.slot_id)
        why = (
            f"nghỉ lễ: {skipped.detail}"
            if skipped.reason == SkipReason.HOLIDAY
            else "giờ yên tĩnh, không có tin khẩn cấp"
        )
        shown[skipped.start.date()].skipped.append(
            f"Không phát {skipped.start:%H:%M} {slot.name}: {why}"
        )
    for warning in plan.warnings:
        day = warning.when.date() if warning.when else None
        if day in shown:
            shown[day].warnings.append(warning.message)
        else:
            general.append(warning.message)
    return PlanByDay(list(shown.values()), general)
