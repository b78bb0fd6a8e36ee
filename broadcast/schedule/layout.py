"""Laying out one airing: segments in program order with their offsets from the start."""

from __future__ import annotations

from dataclasses import dataclass

from broadcast.config.model import (
    NamedScriptSegment,
    Program,
    Segment,
    SegmentKind,
    SelectionSegment,
)
from broadcast.schedule.calendar import Occurrence
from broadcast.schedule.candidates import Candidate
from broadcast.schedule.model import PlanItem, PlannedSegment

# An airing holds something worth hearing only with a script or a recorded programme in it.
CONTENT_KINDS = (SegmentKind.SCRIPT, SegmentKind.AUDIO)
LEAD_KINDS = (SegmentKind.CHIME, SegmentKind.INTRO)


@dataclass(frozen=True)
class Part:
    """A fixed segment of the program (chime, intro, named script …) before its offset is
    known."""

    kind: SegmentKind
    seconds: float
    zones: tuple[str, ...]
    script_id: str | None = None
    file: str | None = None


@dataclass(frozen=True)
class Shape:
    """What every airing asks of its program's segments, worked out once per program."""

    size: int  # number of segments
    fixed: tuple[tuple[int, Segment], ...]  # chime, files, named scripts, with their indexes
    selections: tuple[tuple[int, SelectionSegment], ...]
    emergency_place: int  # emergencies go before this segment
    has_scripts: bool  # selected or named scripts: an airing without one is worth a warning

    @classmethod
    def of(cls, program: Program) -> Shape:
        segments = program.segments
        fixed = tuple((i, s) for i, s in enumerate(segments) if not isinstance(s, SelectionSegment))
        selections = tuple(
            (i, s) for i, s in enumerate(segments) if isinstance(s, SelectionSegment)
        )
        # Where scripts are chosen, else right after the chime and intro.
        place = next(
            (i for i, _ in selections),
            next((i for i, s in enumerate(segments) if s.kind not in LEAD_KINDS), len(segments)),
        )
        has_scripts = any(isinstance(s, SelectionSegment | NamedScriptSegment) for s in segments)
        return cls(len(segments), fixed, selections, place, has_scripts)


def part_label(part: Part) -> str:
    if part.script_id:
        return f'bài "{part.script_id}"'
    return f'"{part.file}"' if part.file else "nhạc hiệu"


def _segment(piece: Part | Candidate, offset: float) -> PlannedSegment:
    if isinstance(piece, Part):
        return PlannedSegment(
            piece.kind, offset, piece.seconds, piece.zones, piece.script_id, piece.file, False
        )
    return PlannedSegment(
        SegmentKind.SCRIPT, offset, piece.seconds, piece.zones, piece.id, None, piece.emergency
    )


def arrange(
    shape: Shape,
    emergencies: list[Candidate],
    fixed: dict[int, Part],
    chosen: dict[int, list[Candidate]],
) -> list[PlannedSegment]:
    """Program order, emergencies at ``shape.emergency_place``; each segment starts where the
    one before it ends."""
    pieces: list[Part | Candidate] = []
    for index in range(shape.size + 1):
        if index == shape.emergency_place:
            pieces.extend(emergencies)
        if index in fixed:
            pieces.append(fixed[index])
        pieces.extend(chosen.get(index, ()))
    planned = []
    offset = 0.0
    for piece in pieces:
        planned.append(_segment(piece, offset))
        offset += piece.seconds
    return planned


def build_item(
    occurrence: Occurrence,
    program: Program,
    segments: list[PlannedSegment],
    zones: tuple[str, ...],
    quiet: bool,
) -> PlanItem:
    """``zones``: those where some segment is heard."""
    slot = occurrence.slot
    return PlanItem(
        slot_id=slot.id,
        slot_name=slot.name,
        program_id=program.id,
        start=occurrence.start,
        zones=zones,
        segments=tuple(segments),
        emergency_only=quiet,
    )
