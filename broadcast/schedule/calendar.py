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


def occurrences(
    config: Config, start: datetime, end: datetime
) -> tuple[list[Occurrence], list[SkippedOccurrence]]:
    """Occurrences starting in ``[start, end)`` in time order (slot order breaks ties)."""
    found: list[Occurrence] = []
    skipped: list[SkippedOccurrence] = []
    day = start.astimezone(config.timezone).date()
    last = (end - timedelta(microseconds=1)).astimezone(config.timezone).date()
    while day <= last:
        holiday = holiday_name(day)
        for slot in config.slots:
            if not slot.runs_on(day):
                continue
            for moment in slot.times:
                at = datetime.combine(day, moment, tzinfo=config.timezone)
                if not start <= at < end:
                    continue
                if slot.skip_holidays and holiday:
                    skipped.append(SkippedOccurrence(slot.id, at, SkipReason.HOLIDAY, holiday))
                else:
                    found.append(Occurrence(slot, at))
        day += timedelta(days=1)
    order = {slot.id: index for index, slot in enumerate(config.slots)}
    found.sort(key=lambda o: (o.start, order[o.slot.id]))
    skipped.sort(key=lambda s: (s.start, order[s.slot_id]))
    return found, skipped


def iso_week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
