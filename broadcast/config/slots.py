"""Slots (when a program airs, where) and quiet hours."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time

from broadcast import yamlsource
from broadcast.config.entries import Entry, checked, entries
from broadcast.config.model import Program, QuietHours, Slot
from broadcast.config.programs import positive_minutes
from broadcast.config.values import clock_time, raw_text, weekdays
from broadcast.config.zones import resolve_zones
from broadcast.diagnostics import DiagnosticCollector, thousands
from broadcast.scripts.dates import located_date
from broadcast.yamlsource import Located

SLOT_KEYS = (
    "id",
    "name",
    "times",
    "weekdays",
    "from",
    "until",
    "except",
    "program",
    "zones",
    "max_minutes",
    "skip_holidays",
)
QUIET_KEYS = ("from", "until")
EVERY_DAY = frozenset(range(7))
# Each airing of a week on each of its zones: what checking for overlaps and planning grow
# with. A large ward airs a few thousand; more is a generated file, refused before the
# overlap check and the planner spend seconds on it (bench/timetable.py).
MAX_ZONE_AIRINGS_PER_WEEK = 20_000


def parse_slots(
    section: Located | None,
    programs: Mapping[str, Program],
    zone_ids: tuple[str, ...],
    groups: Mapping[str, tuple[str, ...]],
    collector: DiagnosticCollector,
) -> tuple[Slot, ...]:
    slots = []
    for entry in entries(section, "khung giờ", SLOT_KEYS, collector, {}):
        errors_before = len(collector.errors)
        slot = _slot(entry, programs, zone_ids, groups, collector)
        if len(collector.errors) == errors_before:
            slots.append(slot)
    airings = sum(len(slot.weekdays) * len(slot.times) * len(slot.zones) for slot in slots)
    if section is not None and airings > MAX_ZONE_AIRINGS_PER_WEEK:
        collector.add(
            section.diagnostic(
                "too_many_airings",
                f"các khung giờ có {thousands(airings)} lượt phát mỗi tuần tính theo từng khu "
                f"vực, tối đa {thousands(MAX_ZONE_AIRINGS_PER_WEEK)}; hãy bớt khung giờ, giờ "
                "phát hoặc khu vực",
            )
        )
        return ()
    return tuple(slots)


def _slot(
    entry: Entry,
    programs: Mapping[str, Program],
    zone_ids: tuple[str, ...],
    groups: Mapping[str, tuple[str, ...]],
    collector: DiagnosticCollector,
) -> Slot:
    """Every field is checked even after a bad one, so one run names all the problems."""
    fields = entry.fields
    slot = Slot(
        id=entry.id,
        name=checked(collector, lambda: _name(entry), entry.id),
        times=checked(collector, lambda: _times(entry), ()),
        weekdays=checked(collector, lambda: _weekdays(fields), EVERY_DAY),
        program=checked(collector, lambda: _program(entry, programs), ""),
        zones=checked(
            collector,
            lambda: resolve_zones(entry.required("zones", "khung giờ"), zone_ids, groups),
            (),
        ),
        max_seconds=checked(
            collector,
            lambda: positive_minutes(entry.required("max_minutes", "khung giờ")) * 60,
            0.0,
        ),
        date_from=checked(collector, lambda: _date(fields, "from"), None),
        date_until=checked(collector, lambda: _date(fields, "until"), None),
        except_dates=checked(collector, lambda: _excluded(fields), frozenset()),
        skip_holidays=checked(
            collector,
            lambda: "skip_holidays" in fields and fields["skip_holidays"].boolean("skip_holidays"),
            False,
        ),
        line=entry.where.line,
    )
    if slot.date_from and slot.date_until and slot.date_until < slot.date_from:
        collector.add(
            fields["until"].diagnostic(
                "bad_date_window", "ngày kết thúc (until) đứng trước ngày bắt đầu (from)"
            )
        )
    return slot


def _name(entry: Entry) -> str:
    return raw_text(entry.fields["name"], "name") if "name" in entry.fields else entry.id


def _times(entry: Entry) -> tuple[time, ...]:
    times = entry.required("times", "khung giờ").items("times")
    return tuple(sorted({clock_time(value) for value in times}))


def _weekdays(fields: Mapping[str, Located]) -> frozenset[int]:
    return weekdays(fields["weekdays"]) if "weekdays" in fields else EVERY_DAY


def _program(entry: Entry, programs: Mapping[str, Program]) -> str:
    program = raw_text(entry.required("program", "khung giờ"), "program")
    if program not in programs:
        hint = yamlsource.did_you_mean(program, programs)
        raise entry.fields["program"].fail(
            "unknown_program", f'chương trình "{program}" không có trong programs{hint}'
        )
    return program


def _date(fields: Mapping[str, Located], key: str) -> date | None:
    return located_date(fields[key], key) if key in fields else None


def _excluded(fields: Mapping[str, Located]) -> frozenset[date]:
    if "except" not in fields:
        return frozenset()
    return frozenset(located_date(value, "ngày") for value in fields["except"].items("except"))


def parse_quiet_hours(section: Located | None, collector: DiagnosticCollector) -> QuietHours | None:
    if section is None or section.is_null:
        return None
    fields = section.mapping("quiet_hours")
    collector.extend(yamlsource.unknown_keys(section, QUIET_KEYS, "quiet_hours"))
    for key in QUIET_KEYS:
        if key not in fields:
            raise section.fail("missing_key", f'quiet_hours thiếu khóa "{key}"')
    start, end = clock_time(fields["from"]), clock_time(fields["until"])
    if start == end:
        raise section.fail("bad_quiet_hours", "giờ yên tĩnh phải bắt đầu và kết thúc khác giờ")
    return QuietHours(start, end, line=section.line)
