"""Numbers as Northern (or Southern) broadcast Vietnamese reads them.

Rules follow CLDR's Vietnamese spell-out and common grammars: mười / mươi; after mươi
1 → mốt, 4 → tư, 5 → lăm; after mười 5 → lăm; zero tens after a hundreds word → linh (lẻ in
the South); inner groups are read in full with "không trăm"; all-zero groups are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class Region(StrEnum):
    """Where the listeners are; only a few number words differ."""

    NORTH = "north"
    SOUTH = "south"


# Plain digit names: digit strings (phones, IDs) always use these, never mốt / tư / lăm.
DIGIT_NAMES = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def read_digits(digits: str) -> str:
    """One plain name per digit: "0912" → "không chín một hai"."""
    return " ".join([DIGIT_NAMES[ord(c) - 48] for c in digits])


@dataclass(frozen=True)
class NumberWords:
    """Number reading for one region."""

    thousand: str  # nghìn / ngàn
    zero_tens: str  # linh / lẻ

    def cardinal(self, digits: str) -> str:
        """A whole number given as ASCII digits (leading zeros ignored)."""
        return _cardinal(self, digits.lstrip("0"))

    def decimal(self, whole: str, fraction: str) -> str:
        """ "2,05" → "hai phẩy không năm"; long fractions are read digit by digit."""
        if len(fraction) > 3:
            return f"{self.cardinal(whole)} phẩy {read_digits(fraction)}"
        significant = fraction.lstrip("0")
        zeros = ["không"] * (len(fraction) - len(significant))
        tail = [self.cardinal(significant)] if significant else []
        return " ".join([self.cardinal(whole), "phẩy", *zeros, *tail])

    def ordinal(self, digits: str) -> str:
        """The word after "thứ": thứ nhất, thứ tư, then plain numbers (thứ hai, thứ mười)."""
        value = digits.lstrip("0")
        return {"1": "nhất", "4": "tư"}.get(value) or self.cardinal(value)

    def month(self, digits: str) -> str:
        """The word after "tháng": April is tháng tư; January (solar) is tháng một."""
        return "tư" if digits.lstrip("0") == "4" else self.cardinal(digits)


REGION_WORDS = {
    Region.NORTH: NumberWords(thousand="nghìn", zero_tens="linh"),
    Region.SOUTH: NumberWords(thousand="ngàn", zero_tens="lẻ"),
}


def _tens(tens: int, units: int) -> list[str]:
    if tens == 0:
        return [DIGIT_NAMES[units]] if units else []
    if tens == 1:
        head = ["mười"]
        tail = {0: [], 5: ["lăm"]}.get(units)
    else:
        head = [DIGIT_NAMES[tens], "mươi"]
        tail = {0: [], 1: ["mốt"], 4: ["tư"], 5: ["lăm"]}.get(units)
    return head + (tail if tail is not None else [DIGIT_NAMES[units]])


def _group(words: NumberWords, group: str, full: bool) -> list[str]:
    """Three digits; ``full`` reads the hundreds even when zero (inner groups)."""
    hundreds, tens, units = (ord(c) - 48 for c in group)
    if not full and hundreds == 0:
        return _tens(tens, units)
    result = [DIGIT_NAMES[hundreds], "trăm"]
    if tens == 0 and units:
        return [*result, words.zero_tens, DIGIT_NAMES[units]]
    return result + _tens(tens, units)


def _below_billion(words: NumberWords, digits: str, leading: bool) -> list[str]:
    padded = digits.zfill(9)
    result: list[str] = []
    scales = ("triệu", words.thousand, "")
    for index, scale in enumerate(scales):
        group = padded[index * 3 : index * 3 + 3]
        if group == "000":
            continue
        result += _group(words, group, full=not leading or bool(result))
        if scale:
            result.append(scale)
    return result


def _words(words: NumberWords, digits: str, leading: bool) -> list[str]:
    # tỷ repeats for bigger numbers: 10^12 = một nghìn tỷ, 10^18 = một tỷ tỷ.
    if len(digits) > 9:
        head, tail = digits[:-9], digits[-9:]
        result = [*_words(words, head, leading), "tỷ"]
        if tail.strip("0"):
            result += _below_billion(words, tail, leading=False)
        return result
    return _below_billion(words, digits, leading)


@lru_cache(maxsize=8192)
def _cardinal(words: NumberWords, digits: str) -> str:
    if not digits:
        return "không"
    return " ".join(_words(words, digits, leading=True))
