"""When slots occur: weekdays, date windows, excluded dates and Vietnamese public holidays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

import holidays

from broadcast.config import Config
from broadcast.config.model import Slot
from broadcast.schedule.model import SkippedOccurrence, SkipReason


@cache
def _holidays_of(year: int) -> holidays.HolidayBase:
    # The library computes the lunar ones (Tết Nguyên đán, Giỗ Tổ Hùng Vương) and the days
    # off the government moves; names in Vietnamese for the plan and the reports.
    return holidays.country_holidays("VN", years=year, language="vi")


def holiday_name(day: date) -> str | None:
    """The Vietnamese public holiday on ``day`` (including observed days off), if any."""
    return _holidays_of(day.year).get(day)


@dataclass(frozen=True)
class Occurrence:
    slot: Slot
    start: datetime  # aware

    @property
    def day(self) -> date:
        return self.start.date()


def local_midnight(day: date, config: Config) -> datetime:
    return datetime.combine(day, time(0), tzinfo=config.timezone)


def in_quiet_hours(config: Config, moment: datetime) -> bool:
    """Inside the quiet hours, when only emergency bulletins may air."""
    quiet = config.quiet_hours
    return quiet is not None and quiet.contains(moment.time())


def occurrences(
    config: Config, start: datetime, end: datetime
) -> tuple[list[Occurrence], list[SkippedOccurrence]]:
    """Occurrences starting in ``[start, end)`` in time order (slot order breaks ties)."""
    found: list[Occurrence] = []
    skipped: list[SkippedOccurrence] = []
    # A day's times in order, slot order breaking ties: the same every day, so sorted once.
    daily = sorted(
        ((moment, index, slot) for index, slot in enumerate(config.slots) for moment in slot.times),
        key=lambda entry: entry[:2],
    )
    day = start.astimezone(config.timezone).date()
    last = (end - timedelta(microseconds=1)).astimezone(config.timezone).date()
    while day <= last:
        holiday = holiday_name(day)
        for moment, _, slot in daily:
            if not slot.runs_on(day):
                continue
            at = datetime.combine(day, moment, tzinfo=config.timezone)
            if not start <= at < end:
                continue
            if slot.skip_holidays and holiday:
                skipped.append(SkippedOccurrence(slot.id, at, SkipReason.HOLIDAY, holiday))
            else:
                found.append(Occurrence(slot, at))
        day += timedelta(days=1)
    return found, skipped


def iso_week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
