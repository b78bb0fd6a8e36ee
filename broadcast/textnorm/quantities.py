"""Number tokens: quantities, decimals, lists, fractions, digit strings and their units.

How the ambiguous cases are decided:
- "." between digits groups thousands when every group after the first has three digits
  ("50.000", "1.005.000"); otherwise it is a section number read "chấm" ("mục 2.1"), or an
  English-style decimal when a unit or magnitude follows ("1.5 triệu"). A "." followed by a
  space or the line end is a sentence end, never part of the number.
- "," is the decimal point ("0,5" → "không phẩy năm") except after a word that names levels
  or items ("mức độ 3,4", "tổ 5,6"): there it separates a list, read "ba, bốn", unless a
  magnitude or unit follows ("mức 1,5 triệu"). Three or more comma groups are a list, or
  English thousands when every group has three digits ("1,000,000").
- A digit string is read digit by digit (phone numbers, IDs, accounts) when a word such as
  "điện thoại", "tài khoản", "CCCD" comes before it, when it starts with 0 and has three or
  more digits, or when it has nine or more digits without thousands dots (quantities that
  large are always grouped).
- A four-digit number is read as a cardinal, which is also how years are read
  (2023 = hai nghìn không trăm hai mươi ba); only inside codes and "m/yyyy" does being a
  year matter, see ``is_year``.
- "d/m" is a date when it can be one, unless a fraction word surrounds it ("chiếm 1/3",
  "1/2 số hộ"); "m/yyyy" is a month; after "số" a slashed number is a code.
- After an address word ("số nhà 27/4", "ngõ 52/18") the slash is "xuyệt", as addresses are
  said aloud in the North and Centre; "5B/9" is always an address. A count before a counted
  noun ("9/9 tổ") is a tally, "chín trên chín". A non-date whose top exceeds its bottom
  ("45/12") is read "trên": "phần" would make it a part of a whole.
"""

from __future__ import annotations

import re
import string

from broadcast.textnorm import context, units
from broadcast.textnorm.datetimes import date_exists, is_year, read_date, valid_day_month
from broadcast.textnorm.letters import letter_name
from broadcast.textnorm.numbers import NumberWords, read_digits
from broadcast.textnorm.tokens import Env, Kind, Token

_THOUSANDS_DOT = re.compile(r"\d{1,3}(?:\.\d{3})+")
_THOUSANDS_COMMA = re.compile(r"\d{1,3}(?:,\d{3}){2,}")
_SEPARATOR = re.compile(r"([.,])")
_MAX_GROUPED_QUANTITY = 9  # ungrouped digit strings this long are identifiers


def _list(numbers: NumberWords, items: list[str], months: bool) -> str:
    read = numbers.month if months else numbers.cardinal
    return ", ".join(read(item) for item in items)


def _integer(numbers: NumberWords, digits: str, line: str, start: int) -> tuple[str, str]:
    if len(digits) >= 3 and (
        digits[0] == "0"
        or len(digits) >= _MAX_GROUPED_QUANTITY
        or context.before(context.DIGITS, line, start)
    ):
        return read_digits(digits), "digits"
    if len(digits) <= 3 and context.before(context.ORDINAL, line, start):
        return numbers.ordinal(digits), "ordinal"
    if len(digits) <= 2 and int(digits) <= 12 and context.before(context.MONTH, line, start):
        return numbers.month(digits), "month"
    return numbers.cardinal(digits), "cardinal"


def _mixed(numbers: NumberWords, text: str) -> str:
    """Anything else: each run of digits as a number, "." read chấm and "," read phẩy."""
    words = []
    for part in _SEPARATOR.split(text):
        if part == ".":
            words.append("chấm")
        elif part == ",":
            words.append("phẩy")
        else:
            words.append(numbers.cardinal(part))
    return " ".join(words)


def _reading(
    numbers: NumberWords, text: str, line: str, start: int, end: int, has_suffix: bool
) -> tuple[str, str]:
    if text.isdigit():
        return _integer(numbers, text, line, start)
    if _THOUSANDS_DOT.fullmatch(text):
        return numbers.cardinal(text.replace(".", "")), "cardinal"
    whole, comma, fraction = text.partition(",")
    if comma and _THOUSANDS_DOT.fullmatch(whole) and fraction.isdigit():
        return numbers.decimal(whole.replace(".", ""), fraction), "decimal"
    quantity_follows = has_suffix or context.after(context.QUANTITY_AFTER, line, end)
    if comma and whole.isdigit() and fraction.isdigit():
        is_list = (
            not quantity_follows
            and whole[0] != "0"
            and fraction[0] != "0"
            and len(whole) <= 2
            and len(fraction) <= 2
            and context.before(context.LIST, line, start)
        )
        if is_list:
            months = context.before(context.MONTH, line, start)
            return _list(numbers, [whole, fraction], months), "list"
        return numbers.decimal(whole, fraction), "decimal"
    if "." not in text:
        if _THOUSANDS_COMMA.fullmatch(text):
            return numbers.cardinal(text.replace(",", "")), "cardinal"
        return _list(numbers, text.split(","), False), "list"
    whole, _, fraction = text.partition(".")
    if "," not in text and text.count(".") == 1 and quantity_follows and len(fraction) <= 2:
        return numbers.decimal(whole, fraction), "decimal"
    return _mixed(numbers, text), "section" if "," not in text else "cardinal"


def number(line: str, match: re.Match[str], env: Env) -> Token:
    """A number with its unit, currency or percent sign when one is written after it."""
    start, end = match.span()
    text = match.group()
    dollar = text.startswith("$")
    digits = text.lstrip("$ ")
    suffix = units.SUFFIX.match(line, end)
    spoken, rule = _reading(env.numbers, digits, line, start, end, suffix is not None)
    kind = Kind.ORDINAL if rule in ("ordinal", "month") else Kind.NUMBER
    if suffix:
        spoken, rule = units.suffix_reading(digits, spoken, suffix, env.numbers)
        end, kind = suffix.end(), Kind.MEASURE
    elif dollar:
        spoken, rule, kind = f"{spoken} đô la", "currency", Kind.MEASURE
    return Token(start, end, kind, spoken, rule)


def _code_part(numbers: NumberWords, part: str) -> str:
    return f"năm {numbers.cardinal(part)}" if is_year(part) else numbers.cardinal(part)


def _address(numbers: NumberWords, parts: list[str]) -> str:
    """ "27/4" → "hai mươi bảy xuyệt bốn", "5B/9" → "năm bê xuyệt chín"."""
    read = []
    for part in parts:
        digits = part.rstrip(string.ascii_letters)
        letters = [letter_name(c) for c in part[len(digits) :]]
        read.append(" ".join([numbers.cardinal(digits), *letters]))
    return " xuyệt ".join(read)


def half(line: str, match: re.Match[str], env: Env) -> Token:
    """A half: "½" alone is "một nửa"; after a whole number it is read as the decimal news
    readers say, "1½ triệu đồng" as "một phẩy năm triệu đồng" ("một rưỡi triệu" would put the
    half before the unit, where a speaker says "một triệu rưỡi")."""
    whole = match.group("whole")
    spoken = env.numbers.decimal(whole, "5") if whole else "một nửa"
    return Token(match.start(), match.end(), Kind.NUMBER, spoken, "half")


def house_number(line: str, match: re.Match[str], env: Env) -> Token:
    """A house number with a letter, "5B/9" or "12/3A": never a date or a fraction."""
    spoken = _address(env.numbers, match.group().split("/"))
    return Token(match.start(), match.end(), Kind.NUMBER, spoken, "address")


def slashed(line: str, match: re.Match[str], env: Env) -> Token:
    """Numbers joined by "/": addresses, tallies, dates, months, fractions, lists and codes."""
    start, end = match.span()
    parts = match.group().split("/")
    numbers = env.numbers
    spoken, kind, rule = "", Kind.DATE, "date"
    if context.before(context.ADDRESS, line, start):
        spoken, kind, rule = _address(numbers, parts), Kind.NUMBER, "address"
    elif (
        len(parts) == 2
        and 0 < int(parts[0]) <= int(parts[1])
        and context.after(context.TALLY_AFTER, line, end)
        and not context.before(context.DATE_BEFORE, line, start)
    ):
        spoken = f"{numbers.cardinal(parts[0])} trên {numbers.cardinal(parts[1])}"
        kind, rule = Kind.NUMBER, "tally"
    elif len(parts) == 3 and len(parts[2]) in (2, 4) and valid_day_month(parts[0], parts[1]):
        spoken = read_date(numbers, line, start, *parts)
        if not date_exists(*parts):  # "30/2/2027": read as written, never as some other day
            spoken = " trên ".join(map(numbers.cardinal, parts))
            kind, rule = Kind.NUMBER, "impossible_date"
    elif len(parts) != 2 or context.before(context.CODE_NUMBER, line, start):
        spoken = " ".join(_code_part(numbers, p) for p in parts)
        kind, rule = Kind.NUMBER, "code"
    else:
        first, second = parts
        if (
            is_year(second)
            and 1 <= int(first) <= 4
            and context.before(context.QUARTER, line, start)
        ):
            spoken = f"{numbers.cardinal(first)} năm {numbers.cardinal(second)}"  # quý 3/2026
        elif is_year(second) and 1 <= int(first) <= 12:
            spoken = read_date(numbers, line, start, None, first, second)
        elif is_year(first) and is_year(second) and int(second) == int(first) + 1:
            # "năm học 2023/2024": the school year from one year to the next
            spoken = f"{numbers.cardinal(first)} đến {numbers.cardinal(second)}"
            kind, rule = Kind.NUMBER, "range"
        elif context.before(context.LIST, line, start) and not context.before(
            context.MONTH, line, start
        ):
            spoken, kind, rule = _list(numbers, parts, False), Kind.NUMBER, "list"
        elif (
            date_exists(first, second)
            and not context.before(context.FRACTION_BEFORE, line, start)
            and not context.after(context.FRACTION_AFTER, line, end)
            and not (parts == ["24", "7"] and not context.before(context.DAY, line, start))
        ):
            spoken = read_date(numbers, line, start, first, second, None)
        else:
            # "24/7" and "45/12" are "trên"; true fractions "một phần ba"
            joint = "trên" if parts == ["24", "7"] or int(first) > int(second) else "phần"
            # a quarter is "một phần tư", like the fourth month and "thứ tư"
            below = numbers.month(second) if joint == "phần" else numbers.cardinal(second)
            spoken = f"{numbers.cardinal(first)} {joint} {below}"
            kind, rule = Kind.NUMBER, "fraction" if joint == "phần" else "over"
            if valid_day_month(first, second) and not date_exists(first, second):
                rule = "impossible_date"  # "31/02": shaped like a date the calendar lacks
    return Token(start, end, kind, spoken, rule)
