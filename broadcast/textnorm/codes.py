"""Phone numbers and document codes.

Phones: "0237.3852.123", "0912 345 678", "+84 912 345 678", hotlines "1800 1096" are read
digit by digit with plain names, whatever the grouping. Document codes: "245/UBND-VP",
"12/2024/QĐ-UBND", "18-NQ/TW": separators are silent, abbreviations expanded, a year read
"năm …".
"""

from __future__ import annotations

import re

from broadcast.textnorm import context
from broadcast.textnorm.datetimes import is_year
from broadcast.textnorm.numbers import read_digits
from broadcast.textnorm.tokens import Env, Kind, Token
from broadcast.textnorm.words import read_abbreviation

_DIGIT_RUN = re.compile(r"\d+")
_CODE_PART = re.compile(r"\d+|[^\W\d_]+")
_PHONE_DIGITS = range(9, 12)  # 0 + 9 or 10 digits; landlines 0237 3852 123 have 11
_HOTLINE_DIGITS = (8, 10)  # 1800 1096, 1900 1234 56
_INTERNATIONAL_DIGITS = (9, 10)  # after +84
_GROUP = re.compile(r"\+?\d+")  # the digits between separators


def _valid_length(prefix: str, digits: int) -> bool:
    if prefix.startswith("+"):
        return digits - 2 in _INTERNATIONAL_DIGITS
    if prefix.startswith("1"):
        return digits in _HOTLINE_DIGITS
    return digits in _PHONE_DIGITS


def phone(line: str, match: re.Match[str], env: Env) -> Token | None:
    """The longest run of groups that has a phone number's length, so a number written just
    after it ("0912 345 678 30 hộ") is not swallowed; no such run: not a phone."""
    text = match.group()
    digits, best = "", None
    for group in _GROUP.finditer(text):
        digits += group.group().lstrip("+")
        if _valid_length(text, len(digits)):
            best = (group.end(), digits)
    if best is None:
        return None
    end, found = best
    spoken = ("cộng " if text.startswith("+") else "") + read_digits(found)
    return Token(match.start(), match.start() + end, Kind.CODE, spoken, "phone")


def document_code(line: str, match: re.Match[str], env: Env) -> Token | None:
    if context.before(context.ORDINAL, line, match.start()):
        return None  # "Thứ 2-CN" is a range of weekdays
    words: list[str] = []
    unknown: list[str] = []
    for index, part in enumerate(_CODE_PART.findall(match.group())):
        if part.isdigit():
            # the first number is the document's number; a later four-digit one its year
            year = index > 0 and is_year(part)
            words.append(
                f"năm {env.numbers.cardinal(part)}" if year else env.numbers.cardinal(part)
            )
        else:
            reading, known = read_abbreviation(part, env.lexicon)
            words.append(reading)
            if not known:
                unknown.append(part)
    return Token(match.start(), match.end(), Kind.CODE, " ".join(words), "code", tuple(unknown))
