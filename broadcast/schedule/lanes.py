"""Where the zones of one airing go their own ways: the rule the plan is laid out by and the
daemon's runner plays by, so the offsets ``broadcast plan`` shows are when each zone hears
each segment.

The segments are taken in the airing's order. Zones that still have a segment to hear in
common go through the airing together, one segment after another; a segment that is not
theirs they simply let pass, in silence. As soon as no segment still to come joins two
groups of zones, they part and each goes on at its own pace, side by side; a zone with
nothing left to hear has finished its program. So a shared segment (every zone) keeps every
zone together and in step, and segments for disjoint zones after the last shared one play in
parallel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from broadcast.schedule.model import PlannedSegment

# Shorter than this between two segments of a zone is the pause between items, not silence.
SILENCE_TOLERANCE_SECONDS = 0.5


class Zoned(Protocol):
    @property
    def zones(self) -> tuple[str, ...]: ...


class Timed(Zoned, Protocol):
    @property
    def seconds(self) -> float: ...


@dataclass(frozen=True)
class Silence:
    """Zones of an airing waiting, mid-program, for segments that are not theirs."""

    zones: tuple[str, ...]
    offset_seconds: float  # from the airing's start
    seconds: float


def apart(masks: Sequence[int], index: int, zones: int) -> list[int]:
    """``zones`` as the groups that go on together from piece ``index``: zones sharing a piece
    still to come are in one group, a zone with nothing left is in none; groups in the order
    their first piece comes. Zones as bits (``zone_bits``), pieces as their zones' bits."""
    groups: list[int] = []
    for position in range(index, len(masks)):
        met = masks[position] & zones
        if not met:
            continue
        merged, first, kept = met, -1, list[int]()
        for group in groups:
            if group & met:
                merged |= group
                if first < 0:
                    first = len(kept)
                    kept.append(0)
            else:
                kept.append(group)
        if first < 0:
            kept.append(merged)
        else:
            kept[first] = merged
        groups = kept
        if groups[0] == zones:  # all of them together: nothing can part them now
            break
    return groups


def zone_bits(zones: Iterable[str]) -> dict[str, int]:
    return {zone: 1 << i for i, zone in enumerate(dict.fromkeys(zones))}


@cache
def _slot_bits(zones: tuple[str, ...]) -> dict[str, int]:
    """``zone_bits`` of a slot's zones: the same for every airing of the slot."""
    return zone_bits(zones)


def _mask(zones: Iterable[str], bits: Mapping[str, int]) -> int:
    mask = 0
    for zone in zones:
        mask |= bits.get(zone, 0)
    return mask


class Parting:
    """An airing's segments as bits of their zones, for the runner to ask, segment after
    segment, which of its zones go on together (``apart``)."""

    def __init__(self, segments: Sequence[Zoned]):
        self.bits = zone_bits(zone for segment in segments for zone in segment.zones)
        self.masks = [_mask(segment.zones, self.bits) for segment in segments]

    def groups(self, index: int, zones: AbstractSet[str]) -> list[frozenset[str]]:
        found = apart(self.masks, index, _mask(zones, self.bits))
        return [frozenset(z for z in zones if self.bits.get(z, 0) & group) for group in found]


def starts(pieces: Sequence[Timed], zones: tuple[str, ...]) -> list[float]:
    """When each piece starts, in seconds from the airing's start on ``zones`` (all those of
    its pieces), played by the rule above."""
    bits = _slot_bits(zones)
    everywhere = (1 << len(bits)) - 1
    masks = [
        everywhere if len(piece.zones) == len(bits) else _mask(piece.zones, bits)
        for piece in pieces
    ]
    # Up to the last shared piece every zone goes together: no need to ask.
    together = 1 + max((i for i, mask in enumerate(masks) if mask == everywhere), default=-1)
    found = [0.0] * len(pieces)
    todo = [(everywhere, 0, 0.0)]
    while todo:
        group, index, time = todo.pop()
        while True:
            if index >= together:  # groups change only as pieces are played: asked after each
                groups = apart(masks, index, group)
                if len(groups) != 1:
                    todo.extend((part, index, time) for part in groups)
                    break
                group = groups[0]
            while not group & masks[index]:  # a group has a piece still to come
                index += 1
            found[index] = time
            time += pieces[index].seconds
            index += 1
    return found


def silences(segments: Sequence[PlannedSegment]) -> list[Silence]:
    """Where a zone waits between two of its segments (``segments`` in time order); zones
    waiting from the same moment for as long are one silence."""
    if all(segment.zones == segments[0].zones for segment in segments):
        return []  # every segment everywhere: one after another, no one waits
    ends: dict[str, float] = {}
    waiting: dict[tuple[float, float], list[str]] = {}
    for segment in segments:
        start, finish = segment.offset_seconds, segment.end_seconds
        for zone in segment.zones:
            end = ends.get(zone)
            if end is not None and start - end > SILENCE_TOLERANCE_SECONDS:
                waiting.setdefault((end, start - end), []).append(zone)
            ends[zone] = finish
    return [Silence(tuple(zones), at, seconds) for (at, seconds), zones in waiting.items()]
