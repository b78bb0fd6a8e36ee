"""Laying out one airing: segments in program order with their offsets from the start."""

from __future__ import annotations

from dataclasses import dataclass

from broadcast.config.model import NamedScriptSegment, Program, SegmentKind, SelectionSegment
from broadcast.schedule.calendar import Occurrence
from broadcast.schedule.model import PlanItem, PlannedSegment
from broadcast.schedule.selection import Ranked

# An airing holds something worth hearing only with a script or a recorded programme in it.
CONTENT_KINDS = (SegmentKind.SCRIPT, SegmentKind.AUDIO)
LEAD_KINDS = (SegmentKind.CHIME, SegmentKind.INTRO)


@dataclass(frozen=True)
class Part:
    """A segment before its offset is known."""

    kind: SegmentKind
    seconds: float
    zones: tuple[str, ...]
    script_id: str | None = None
    file: str | None = None
    emergency: bool = False


def has_scripts(program: Program) -> bool:
    return any(isinstance(s, SelectionSegment | NamedScriptSegment) for s in program.segments)


def part_label(part: Part) -> str:
    if part.script_id:
        return f'bài "{part.script_id}"'
    return f'"{part.file}"' if part.file else "nhạc hiệu"


def script_part(entry: Ranked) -> Part:
    candidate = entry.candidate
    return Part(
        SegmentKind.SCRIPT,
        candidate.seconds,
        candidate.zones,
        script_id=candidate.id,
        emergency=candidate.emergency,
    )


def arrange(
    program: Program,
    emergencies: list[Ranked],
    fixed: dict[int, Part],
    chosen: dict[int, list[Ranked]],
) -> list[Part]:
    """Program order; emergencies go where scripts are chosen, else right after the chime."""
    segments = program.segments
    place = next(
        (i for i, s in enumerate(segments) if isinstance(s, SelectionSegment)),
        next((i for i, s in enumerate(segments) if s.kind not in LEAD_KINDS), len(segments)),
    )
    parts: list[Part] = []
    for index in range(len(segments) + 1):
        if index == place:
            parts.extend(script_part(e) for e in emergencies)
        if index in fixed:
            parts.append(fixed[index])
        parts.extend(script_part(e) for e in chosen.get(index, []))
    return parts


def build_item(
    occurrence: Occurrence, program: Program, parts: list[Part], quiet: bool
) -> PlanItem:
    segments = []
    offset = 0.0
    for part in parts:
        segments.append(
            PlannedSegment(
                kind=part.kind,
                offset_seconds=offset,
                duration_seconds=part.seconds,
                zones=part.zones,
                script_id=part.script_id,
                file=part.file,
                emergency=part.emergency,
            )
        )
        offset += part.seconds
    slot = occurrence.slot
    zones = tuple(z for z in slot.zones if any(z in s.zones for s in segments))
    return PlanItem(
        slot_id=slot.id,
        slot_name=slot.name,
        program_id=program.id,
        start=occurrence.start,
        zones=zones,
        segments=tuple(segments),
        emergency_only=quiet,
    )
