"""Reporting periods as the ward names them: a quarter, a half year, a year or a month."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

_ROMAN = ("I", "II", "III", "IV")
_PATTERN = re.compile(r"(?P<year>\d{4})(?:-(?:(?P<kind>[QqHh])(?P<part>\d)|(?P<month>\d{1,2})))?")
# The forms Vietnamese documents use, read after NFC, case folding and single spaces.
_OF_YEAR = r"\s*(?:/|năm)\s*(?P<year>\d{4})"
_VI_QUARTER = re.compile(r"(?:q|quý)\s*(?P<part>[1-4]|iv|i{1,3})" + _OF_YEAR)
_VI_HALF = re.compile(r"6 tháng (?P<part>đầu|cuối) năm (?P<year>\d{4})")
_VI_MONTH = re.compile(r"tháng (?P<part>\d{1,2})" + _OF_YEAR)
_VI_YEAR = re.compile(r"năm (?P<year>\d{4})")
FORMS_VI = (
    "2026-Q4, Q4/2026, quý 4/2026 hoặc Quý IV/2026 (quý); 2026-H1, 6 tháng đầu năm 2026 "
    "hoặc 6 tháng cuối năm 2026 (6 tháng); 2026 hoặc năm 2026 (năm); 2026-11 hoặc "
    "tháng 11/2026 (tháng)"
)


@dataclass(frozen=True)
class Period:
    key: str  # canonical spelling: "2023-Q1", "2023-H1", "2023", "2023-03"
    first_day: date
    end_day: date  # the day after the last one
    name_vi: str  # "Quý I năm 2023"

    def bounds(self, timezone: tzinfo) -> tuple[datetime, datetime]:
        """``[start, end)`` in the ward's time."""
        return (
            datetime.combine(self.first_day, time(), timezone),
            datetime.combine(self.end_day, time(), timezone),
        )

    def days(self) -> list[date]:
        count = (self.end_day - self.first_day).days
        return [self.first_day + timedelta(days=n) for n in range(count)]

    def ended_days(self, today: date, covered_from: date | None) -> list[date]:
        """Days of the period that have ended by ``today`` and that the log covers (from
        ``covered_from``, the first day it has a row; ``None``: an empty log)."""
        if covered_from is None:
            return []
        return [day for day in self.days() if covered_from <= day < today]

    def is_open(self, today: date) -> bool:
        """Whether the period has not ended yet (or not even begun)."""
        return today < self.end_day

    def months(self) -> list[date]:
        """First day of each month in the period."""
        months, day = [], self.first_day
        while day < self.end_day:
            months.append(day)
            day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return months

    def quarters(self) -> list[date]:
        """First day of each quarter the period touches."""
        return list(dict.fromkeys(quarter_start(month) for month in self.months()))


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_name(first_day: date) -> str:
    """``Quý IV/2026``, as a table row names a quarter."""
    return f"Quý {_ROMAN[(first_day.month - 1) // 3]}/{first_day.year}"


def _months(year: int, first: int, count: int) -> tuple[date, date]:
    last = first + count  # month after the period, may be 13
    return date(year, first, 1), date(year + (last - 1) // 12, (last - 1) % 12 + 1, 1)


def _canonical(text: str) -> str:
    """A Vietnamese form rewritten as the canonical key (``Quý IV/2026`` -> ``2026-Q4``)."""
    said = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    if found := _VI_QUARTER.fullmatch(said):
        part = found["part"]
        quarter = int(part) if part.isdigit() else _ROMAN.index(part.upper()) + 1
        return f"{found['year']}-Q{quarter}"
    if found := _VI_HALF.fullmatch(said):
        return f"{found['year']}-H{1 if found['part'] == 'đầu' else 2}"
    if found := _VI_MONTH.fullmatch(said):
        return f"{found['year']}-{found['part']}"
    if found := _VI_YEAR.fullmatch(said):
        return found["year"]
    return text.strip()


def parse_period(text: str) -> Period:
    """``2023-Q1``, ``2023-H2``, ``2023`` or ``2023-03``, or the Vietnamese forms of
    ``FORMS_VI``; ``ValueError`` (Vietnamese) else."""
    match = _PATTERN.fullmatch(_canonical(text))
    wrong = ValueError(f'kỳ báo cáo "{text}" không hợp lệ; viết như {FORMS_VI}')
    if not match:
        raise wrong
    year = int(match["year"])
    kind, part, month = (match["kind"] or "").upper(), match["part"], match["month"]
    if kind == "Q" and 1 <= int(part) <= 4:
        quarter = int(part)
        first, end = _months(year, 3 * quarter - 2, 3)
        return Period(f"{year}-Q{quarter}", first, end, f"Quý {_ROMAN[quarter - 1]} năm {year}")
    if kind == "H" and int(part) in (1, 2):
        half = int(part)
        first, end = _months(year, 6 * half - 5, 6)
        which = "đầu" if half == 1 else "cuối"
        return Period(f"{year}-H{half}", first, end, f"6 tháng {which} năm {year}")
    if month is not None and 1 <= int(month) <= 12:
        first, end = _months(year, int(month), 1)
        return Period(f"{year}-{int(month):02d}", first, end, f"Tháng {int(month)} năm {year}")
    if not kind and month is None:
        first, end = _months(year, 1, 12)
        return Period(str(year), first, end, f"Năm {year}")
    raise wrong
