"""Roman numerals, read as numbers only where the context says so (see ``context.ROMAN``)."""

from __future__ import annotations

import re

# Up to XCIX: khóa, quý, chương, đại hội and thế kỷ never go further. L, C, D, M alone are
# letters ("mục C"), so only numerals built on I, V and X are accepted.
_ROMAN = re.compile(r"(?=[IVX])(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_value(token: str) -> int | None:
    """The value of a well-formed numeral, or ``None``."""
    if not _ROMAN.fullmatch(token):
        return None
    total = 0
    for char, following in zip(token, [*token[1:], ""], strict=True):
        value = _VALUES[char]
        total += -value if following and _VALUES[following] > value else value
    return total
