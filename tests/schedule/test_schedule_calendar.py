"""When slots occur: weekdays, date windows, excluded dates and public holidays."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from broadcast.schedule import SkipReason, occurrences, plan_range
from broadcast.schedule.calendar import local_midnight

PROGRAM = """
programs:
  - {id: p, name: Bản tin, segments: [chime, scripts: {}]}
"""


def days_of(config, start: date, days: int) -> tuple[list, list]:
    begin = local_midnight(start, config)
    return occurrences(config, begin, begin + timedelta(days=days))


def test_weekdays_window_and_excluded_dates(make_config):
    config = make_config(
        PROGRAM
        + """
slots:
  - id: s
    times: ["06:00", "17:30"]
    weekdays: [T2, T4]
    from: 04/03/2026
    until: 18/03/2026
    except: [11/03/2026]
    program: p
    zones: [toan-phuong]
    max_minutes: 10
"""
    )
    found, skipped = days_of(config, date(2026, 3, 1), 31)
    assert [o.start.strftime("%a %d/%m %H:%M") for o in found] == [
        "Wed 04/03 06:00",
        "Wed 04/03 17:30",
        "Mon 09/03 06:00",
        "Mon 09/03 17:30",
        "Mon 16/03 06:00",
        "Mon 16/03 17:30",
        "Wed 18/03 06:00",
        "Wed 18/03 17:30",
    ]
    assert skipped == []
    assert all(o.start.utcoffset() == timedelta(hours=7) for o in found)


@pytest.mark.parametrize(
    ("tet", "gio_to"),
    [
        (date(2025, 1, 29), date(2025, 4, 7)),
        (date(2026, 2, 17), date(2026, 4, 27)),  # Giỗ Tổ falls on a Sunday: Monday off
        (date(2027, 2, 6), date(2027, 4, 16)),
    ],
)
def test_lunar_holidays_are_skipped_only_where_asked(make_config, tet, gio_to):
    config = make_config(
        PROGRAM
        + """
slots:
  - {id: nghi-le, times: ["06:00"], program: p, zones: [tdp-1], max_minutes: 10,
     skip_holidays: true}
  - {id: khan, times: ["07:00"], program: p, zones: [tdp-2], max_minutes: 10}
"""
    )
    for day, name in ((tet, "Tết Nguyên Đán"), (gio_to, "Giỗ Tổ Hùng Vương")):
        found, skipped = days_of(config, day, 1)
        assert [o.slot.id for o in found] == ["khan"]
        (skip,) = skipped
        assert (skip.slot_id, skip.reason) == ("nghi-le", SkipReason.HOLIDAY)
        assert name in skip.detail
        found, skipped = days_of(config, day + timedelta(days=10), 1)
        assert [o.slot.id for o in found] == ["nghi-le", "khan"] and skipped == []


def test_the_plan_lists_holidays_it_skipped(make_config, make_script):
    config = make_config(
        PROGRAM
        + """
slots:
  - {id: s, times: ["06:00"], program: p, zones: [tdp-1], max_minutes: 10, skip_holidays: true}
"""
    )
    plan = plan_range(config, [make_script("a")], date(2026, 4, 29), days=4)
    assert [i.start.date() for i in plan.items] == [date(2026, 4, 29), date(2026, 5, 2)]
    assert [(s.start.date(), s.detail) for s in plan.skipped] == [
        (date(2026, 4, 30), "Ngày Chiến thắng"),
        (date(2026, 5, 1), "Ngày Quốc tế Lao động"),
    ]


def test_occurrences_are_aware_local_times(make_config):
    config = make_config(
        PROGRAM
        + """
slots:
  - {id: s, times: ["00:00"], program: p, zones: [tdp-1], max_minutes: 10}
"""
    )
    (occurrence,), _ = days_of(config, date(2026, 3, 2), 1)
    assert occurrence.start == datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    assert occurrence.start.time() == time(0, 0) and occurrence.day == date(2026, 3, 2)
