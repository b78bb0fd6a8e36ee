"""Dates and times: "25/10/2017" → "ngày hai mươi lăm tháng mười năm …", "6h30" → "sáu giờ ba
mươi", "17:00" → "mười bảy giờ"."""

from __future__ import annotations

import re

from broadcast.textnorm import context
from broadcast.textnorm.numbers import NumberWords
from broadcast.textnorm.tokens import Env, Kind, Token

_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def valid_day_month(day: str, month: str) -> bool:
    """Both in range: "45/12" and "3/15" are no date at all."""
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


def date_exists(day: str, month: str, year: str | None = None) -> bool:
    """A day the calendar has: not "31/4", "30/2", nor "29/2/2027"."""
    if not valid_day_month(day, month) or int(day) > _MONTH_DAYS[int(month) - 1]:
        return False
    if year is None or int(month) != 2 or int(day) != 29 or not is_year(year):
        return True
    number = int(year)
    return number % 4 == 0 and (number % 100 != 0 or number % 400 == 0)


def is_year(digits: str) -> bool:
    """A four-digit number in the years a notice can mention."""
    return len(digits) == 4 and 1000 <= int(digits) <= 2999


def read_date(
    numbers: NumberWords,
    line: str,
    start: int,
    day: str | None,
    month: str | None,
    year: str | None,
) -> str:
    """ "ngày … tháng … năm …"; the first word is left out when the text already says it
    ("ngày 25/10" is not "ngày ngày …")."""
    words = []
    if day is not None:
        if not context.before(context.DAY, line, start):
            words.append("ngày")
        words.append(numbers.cardinal(day))
    if month is not None:
        if day is not None or not context.before(context.MONTH, line, start):
            words.append("tháng")
        words.append(numbers.month(month))
    if year is not None:
        words += ["năm", numbers.cardinal(year)]
    return " ".join(words)


def read_time(numbers: NumberWords, hours: str, minutes: str | None, seconds: str | None) -> str:
    """Minutes ":00" are not read; a single-digit minute gets "phút" so "6h05" is not heard as
    "sáu giờ năm" (which also means 6:50)."""
    words = [numbers.cardinal(hours), "giờ"]
    if minutes and int(minutes):
        words.append(numbers.cardinal(minutes))
        if int(minutes) < 10 or seconds:
            words.append("phút")
    if seconds and int(seconds):
        words += [numbers.cardinal(seconds), "giây"]
    return " ".join(words)


def separated_date(line: str, match: re.Match[str], env: Env) -> Token | None:
    """dd.mm.yyyy, dd-mm-yyyy and yyyy-mm-dd (slashed dates are read with the fractions)."""
    day, month, year = match.group("d1", "m1", "y1")
    if day is None:
        year, month, day = match.group("y2", "m2", "d2")
    if not valid_day_month(day, month):
        return None
    if not date_exists(day, month, year):  # "30.02.2027": read as written, never as a date
        joint = " chấm " if "." in match.group() else " gạch "
        spoken = joint.join(map(env.numbers.cardinal, match.group().replace("-", ".").split(".")))
        return Token(match.start(), match.end(), Kind.NUMBER, spoken, "impossible_date")
    spoken = read_date(env.numbers, line, match.start(), day, month, year)
    return Token(match.start(), match.end(), Kind.DATE, spoken, "date")


def _time_rule(hours: str, minutes: str | None) -> str:
    """ "25h30", "14 giờ 75" are read as written and ``broadcast check`` warns; "48h" alone
    is a length of time, not a time of day."""
    if minutes is None:
        return "time"
    hour, minute = int(hours), int(minutes)
    return "impossible_time" if minute > 59 or hour > 24 or (hour == 24 and minute) else "time"


def hour_time(line: str, match: re.Match[str], env: Env) -> Token:
    """6h30, 17h, 7g30, 17h00, 6h30'."""
    hours, minutes = match.group("hh", "hm")
    spoken = read_time(env.numbers, hours, minutes, None)
    return Token(match.start(), match.end(), Kind.TIME, spoken, _time_rule(hours, minutes))


def word_time(line: str, match: re.Match[str], env: Env) -> Token:
    """ "17 giờ 00" → "mười bảy giờ", "7 giờ 05 phút" → "bảy giờ năm phút": written minutes
    follow the same rule as "17h00"; a written "phút" is kept when minutes are read."""
    hours, minutes, written_minute = match.group("wh", "wm", "wp")
    spoken = read_time(env.numbers, hours, minutes, None)
    if written_minute and int(minutes) and not spoken.endswith("phút"):
        spoken += " phút"
    return Token(match.start(), match.end(), Kind.TIME, spoken, _time_rule(hours, minutes))


def clock_time(line: str, match: re.Match[str], env: Env) -> Token | None:
    """17:00, 14:30, 08:15:30; "2:1" (a score) and "25:70" are not times."""
    hours, minutes, seconds = match.group("ch", "cm", "cs")
    if int(hours) > 24 or int(minutes) > 59 or (seconds is not None and int(seconds) > 59):
        return None
    spoken = read_time(env.numbers, hours, minutes, seconds)
    return Token(match.start(), match.end(), Kind.TIME, spoken, "time")


def weekday_abbreviation(line: str, match: re.Match[str], env: Env) -> Token:
    """T2 … T7 are the weekdays thứ hai … thứ bảy."""
    spoken = "thứ " + env.numbers.cardinal(match.group("wd"))
    return Token(match.start(), match.end(), Kind.ORDINAL, spoken, "weekday")
