"""Phone numbers and document codes.

Phones: "0237.3852.123", "0912 345 678", "(0228) 3 765 201", "+84 912 345 678", hotlines
"1800 1096" are read digit by digit with plain names, a short pause (a comma) between the
groups as written, so a listener can note them down. File codes "G12.456-251103-0042" are
read character by character, "." as "chấm" and "-" as "gạch" (never "đến"). Document
codes ("45/KH-UBND") are citations, read in ``citations``.
"""

from __future__ import annotations

import re

from broadcast.textnorm.letters import letter_name
from broadcast.textnorm.numbers import read_digits
from broadcast.textnorm.tokens import Env, Kind, Token

_PHONE_DIGITS = range(9, 12)  # 0 + 9 or 10 digits; landlines 0237 3852 123 have 11
# Today's numbers have an exact length: mobiles 0[35789] + 8 digits, landlines 02 + 9 digits.
# Held to it, a run cannot take in a small number written after it ("0912 345 678 3 hộ").
_MOBILE = re.compile(r"0[35789]")
_MOBILE_DIGITS = 10
_LANDLINE_DIGITS = 11
_HOTLINE_DIGITS = (8, 10)  # 1800 1096, 1900 1234 56
_INTERNATIONAL_DIGITS = (9, 10)  # after +84
_GROUP = re.compile(r"\+?\d+")  # the digits between separators
_FILE_CODE_PART = re.compile(r"[A-Za-z]|\d|[.-]")
_FILE_CODE_MARKS = {".": "chấm", "-": "gạch"}


def _valid_length(digits: str) -> bool:
    if digits.startswith("+"):
        return len(digits) - 3 in _INTERNATIONAL_DIGITS
    if digits.startswith("1"):
        return len(digits) in _HOTLINE_DIGITS
    if _MOBILE.match(digits):
        return len(digits) == _MOBILE_DIGITS
    if digits.startswith("02"):
        return len(digits) == _LANDLINE_DIGITS
    return len(digits) in _PHONE_DIGITS


def phone(line: str, match: re.Match[str], env: Env) -> Token | None:
    """The longest run of groups that has a phone number's length, so a number written just
    after it ("0912 345 678 30 hộ") is not swallowed; no such run: not a phone."""
    text = match.group()
    digits, groups, best = "", [], None
    for group in _GROUP.finditer(text):
        digits += group.group()
        groups.append(read_digits(group.group().lstrip("+")))
        if _valid_length(digits):
            best = (group.end(), ", ".join(groups))
    if best is None:
        return None
    end, spoken = best
    if text.startswith("+"):
        spoken = "cộng " + spoken
    return Token(match.start(), match.start() + end, Kind.CODE, spoken, "phone")


def file_code(line: str, match: re.Match[str], env: Env) -> Token:
    """Codes of letters and digits joined by dots and dashes ("G12.456-251103-0042"); chains
    of digits alone stay numbers, ranges and phones ("2020-2025", "0983-456-789")."""
    parts = _FILE_CODE_PART.findall(match.group())
    spoken = " ".join(_FILE_CODE_MARKS.get(part) or letter_name(part) for part in parts)
    return Token(match.start(), match.end(), Kind.CODE, spoken, "file_code")
