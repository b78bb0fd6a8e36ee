"""Laying out one airing: its segments, which zones hear each, and when.

The rule, so that no zone waits in silence while others hear an item that is not for it:

- Shared segments, heard on every zone of the slot (chime, intro, fixed segments, scripts for
  the whole slot), keep the program's order and play on every zone at once: a listener
  walking from one street to the next hears the same bulletin, in step.
- Emergency bulletins keep their place, even one aimed at some zones only: they never wait.
- Every other script aimed at some zones only moves after the shared part (before what
  closes the program), the ones for more zones first, then in program order. Zones that
  share none of them play theirs side by side; each zone hears its own one after another.
- What closes the program after its last script or recording (an outro) plays on each zone
  right after that zone's own last item, so a zone whose items end earlier ends its program
  earlier.

Offsets follow ``lanes.py``, the rule the daemon's runner plays by. Silence can remain where
items aimed at overlapping zones must follow one another (one for streets 1 and 2, one for
2 and 3: street 3 waits for the first), or after an emergency for some zones only; the
planner warns of each (``lanes.silences``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from broadcast.config.model import (
    NamedScriptSegment,
    Program,
    Segment,
    SegmentKind,
    SelectionSegment,
)
from broadcast.schedule.calendar import Occurrence
from broadcast.schedule.candidates import Candidate
from broadcast.schedule.lanes import starts
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
    zones: tuple[str, ...],
) -> list[PlannedSegment]:
    """The airing on the slot's ``zones``, laid out by the rule above, in time order."""
    pieces: list[Part | Candidate] = []
    for index in range(shape.size + 1):
        if index == shape.emergency_place:
            pieces.extend(emergencies)
        if index in fixed:
            pieces.append(fixed[index])
        pieces.extend(chosen.get(index, ()))
    everywhere = len(zones)  # a piece's zones are some of the slot's
    if all(len(piece.zones) == everywhere for piece in pieces):  # most: one after another
        planned = []
        offset = 0.0
        for piece in pieces:
            planned.append(_segment(piece, offset))
            offset += piece.seconds
        return planned
    pieces = _zones_apart(pieces, zones)
    offsets = starts(pieces, zones)
    order = sorted(range(len(pieces)), key=lambda i: offsets[i])  # stable: ties keep order
    return [_segment(pieces[i], offsets[i]) for i in order]


def _is_content(piece: Part | Candidate) -> bool:
    return not isinstance(piece, Part) or piece.kind in CONTENT_KINDS


def _zones_apart(pieces: list[Part | Candidate], zones: tuple[str, ...]) -> list[Part | Candidate]:
    """Scripts for some zones after the shared part; what closes the program (after its last
    script or recording: an outro) after each zone's own last item."""
    closing = 1 + max((i for i, piece in enumerate(pieces) if _is_content(piece)), default=-1)
    laid: list[Part | Candidate] = []
    moved: list[Part | Candidate] = []
    for piece in pieces[:closing]:
        shared = len(piece.zones) == len(zones)
        stays = shared or (isinstance(piece, Candidate) and piece.emergency)
        (laid if stays else moved).append(piece)
    moved.sort(key=lambda p: -len(p.zones))  # stable: program order among equals
    laid += moved
    tail = [piece for piece in pieces[closing:] if isinstance(piece, Part)]  # all of them
    if tail:
        last: dict[str, int] = {}  # zone -> its last piece
        for index, piece in enumerate(laid):
            last.update(dict.fromkeys(piece.zones, index))
        together: dict[int, list[str]] = {}  # zones whose last piece is the same end together
        for zone in zones:
            together.setdefault(last.get(zone, -1), []).append(zone)
        for group in together.values():
            laid.extend(replace(part, zones=tuple(group)) for part in tail)
    return laid


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
