"""Dates and times: "25/10/2017" → "ngày hai mươi lăm tháng mười năm …", "6h30" → "sáu giờ ba
mươi", "17:00" → "mười bảy giờ"."""

from __future__ import annotations

import re

from broadcast.textnorm import context
from broadcast.textnorm.numbers import NumberWords
from broadcast.textnorm.tokens import Env, Kind, Token


def valid_day_month(day: str, month: str) -> bool:
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


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
    spoken = read_date(env.numbers, line, match.start(), day, month, year)
    return Token(match.start(), match.end(), Kind.DATE, spoken, "date")


def hour_time(line: str, match: re.Match[str], env: Env) -> Token | None:
    """6h30, 17h, 7g30, 17h00, 6h30'."""
    hours, minutes = match.group("hh", "hm")
    if minutes is not None and int(minutes) > 59:
        return None
    spoken = read_time(env.numbers, hours, minutes, None)
    return Token(match.start(), match.end(), Kind.TIME, spoken, "time")


def word_time(line: str, match: re.Match[str], env: Env) -> Token | None:
    """ "17 giờ 00" → "mười bảy giờ", "7 giờ 05 phút" → "bảy giờ năm phút": written minutes
    follow the same rule as "17h00"; a written "phút" is kept when minutes are read."""
    hours, minutes, written_minute = match.group("wh", "wm", "wp")
    if int(hours) > 24 or int(minutes) > 59:
        return None
    spoken = read_time(env.numbers, hours, minutes, None)
    if written_minute and int(minutes) and not spoken.endswith("phút"):
        spoken += " phút"
    return Token(match.start(), match.end(), Kind.TIME, spoken, "time")


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
