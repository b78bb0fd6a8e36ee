"""Checks that slots fit their time: before their next airing, outside quiet hours, and never
two at once on one zone. Times are compared as minutes of the week so midnight is no edge.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import time
from itertools import combinations

from broadcast.config.model import QuietHours, Slot
from broadcast.config.values import WEEKDAY_LABELS_VI
from broadcast.diagnostics import Diagnostic, Severity

DAY = 24 * 60
WEEK = 7 * DAY


def minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def quiet_label(quiet: QuietHours) -> str:
    return f"{hhmm(quiet.start)}–{hhmm(quiet.end)}"


def check_timing(
    slots: tuple[Slot, ...], quiet: QuietHours | None, source: str
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for slot in slots:
        found.extend(_next_airing(slot, source))
        if quiet:
            found.extend(_quiet_hours(slot, quiet, source))
    for first, second in combinations(slots, 2):
        found.extend(_overlap(first, second, source))
    return found


def _next_airing(slot: Slot, source: str) -> Iterator[Diagnostic]:
    length = math.ceil(slot.max_seconds / 60)
    starts = [minutes(t) for t in slot.times]
    for index, start in enumerate(starts):
        following = starts[(index + 1) % len(starts)] + (DAY if index == len(starts) - 1 else 0)
        if start + length > following:
            nxt = slot.times[(index + 1) % len(starts)]
            yield Diagnostic(
                source,
                slot.line,
                None,
                "slot_too_long",
                f'khung giờ "{slot.id}" dài tối đa {length} phút: lần phát lúc '
                f"{hhmm(slot.times[index])} sẽ chồng lên lần phát kế tiếp lúc {hhmm(nxt)}",
            )


def _quiet_hours(slot: Slot, quiet: QuietHours, source: str) -> Iterator[Diagnostic]:
    length = math.ceil(slot.max_seconds / 60)
    quiet_start = minutes(quiet.start)
    for moment in slot.times:
        if quiet.contains(moment):
            yield Diagnostic(
                source,
                slot.line,
                None,
                "slot_in_quiet_hours",
                f'khung giờ "{slot.id}" lúc {hhmm(moment)} nằm trong giờ yên tĩnh '
                f"({quiet_label(quiet)}): chỉ phát tin khẩn cấp",
                Severity.WARNING,
            )
            continue
        start = minutes(moment)
        reach = quiet_start if quiet_start > start else quiet_start + DAY
        if start + length > reach:
            yield Diagnostic(
                source,
                slot.line,
                None,
                "slot_crosses_quiet_hours",
                f'khung giờ "{slot.id}" lúc {hhmm(moment)} dài tối đa {length} phút, sẽ kéo vào '
                f"giờ yên tĩnh bắt đầu lúc {hhmm(quiet.start)}",
            )


def _week_intervals(slot: Slot) -> list[tuple[int, int, int, time]]:
    """(start, end, weekday, time) in minutes of the week; a run past Sunday wraps to Monday."""
    length = math.ceil(slot.max_seconds / 60)
    found = []
    for day in sorted(slot.weekdays):
        for moment in slot.times:
            start = day * DAY + minutes(moment)
            found.append((start, start + length, day, moment))
            if start + length > WEEK:
                found.append((start - WEEK, start + length - WEEK, day, moment))
    return found


def _dates_meet(first: Slot, second: Slot) -> bool:
    if first.date_until and second.date_from and first.date_until < second.date_from:
        return False
    return not (second.date_until and first.date_from and second.date_until < first.date_from)


def _overlap(first: Slot, second: Slot, source: str) -> Iterator[Diagnostic]:
    shared = [z for z in first.zones if z in second.zones]
    if not shared or not _dates_meet(first, second):
        return
    for a_start, a_end, _, a_time in _week_intervals(first):
        for b_start, b_end, b_day, b_time in _week_intervals(second):
            if a_start < b_end and b_start < a_end:
                yield Diagnostic(
                    source,
                    second.line,
                    None,
                    "slot_overlap",
                    f'khung giờ "{second.id}" ({WEEKDAY_LABELS_VI[b_day]} {hhmm(b_time)}) trùng '
                    f'giờ với khung giờ "{first.id}" lúc {hhmm(a_time)} (dòng {first.line}) '
                    f"trên khu vực {', '.join(shared)}",
                )
                return
