"""Units, currencies and percent written after a number ("50.000đ", "2,5 ha", "30°C", "83%"),
and the money shorthand of ``money`` ("300k", "2tr5")."""

from __future__ import annotations

import re

from broadcast.textnorm import money
from broadcast.textnorm.numbers import NumberWords

UNITS = {
    "km": "ki lô mét", "m": "mét", "cm": "xăng ti mét", "mm": "mi li mét",
    "km2": "ki lô mét vuông", "km²": "ki lô mét vuông", "m2": "mét vuông", "m²": "mét vuông",
    "cm2": "xăng ti mét vuông", "m3": "mét khối", "m³": "mét khối", "ha": "héc ta",
    "kg": "ki lô gam", "g": "gam", "mg": "mi li gam", "l": "lít", "ml": "mi li lít",
    "kW": "ki lô oát", "kWh": "ki lô oát giờ", "W": "oát", "MW": "mê ga oát", "V": "vôn",
    "kV": "ki lô vôn", "GB": "gi ga bai", "MB": "mê ga bai", "km/h": "ki lô mét trên giờ",
    "°C": "độ xê", "° C": "độ xê", "℃": "độ xê", "oC": "độ xê", "°": "độ",
}  # fmt: skip
CURRENCIES = {
    "đ": "đồng", "VNĐ": "đồng", "VND": "đồng", "vnđ": "đồng", "vnd": "đồng", "USD": "đô la mỹ",
    "$": "đô la", "€": "ơ rô",
}  # fmt: skip
PERCENT = {"%": "phần trăm", "‰": "phần nghìn"}
# Read after "/" in a per-unit chain ("km/h", "đồng/m2") but too ambiguous after a number.
PER_UNITS = {**UNITS, "h": "giờ", "s": "giây", "ph": "phút"}
# Single letters read as units only when written right against the number ("5g", not "5 g").
_ATTACHED_ONLY = {"g", "l", "W", "V"}
TEMPERATURE = frozenset({"độ xê"})


def _alternation(keys: list[str]) -> str:
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


def _suffix(name: str, table: dict[str, str]) -> str:
    """Written against the number, or after one space unless it is a lone ambiguous letter."""
    attached = _alternation(list(table))
    spaced = _alternation([key for key in table if key not in _ATTACHED_ONLY])
    return rf"(?P<{name}>(?:(?:{attached})|\s(?:{spaced}))(?![^\W_]))"


SUFFIX = re.compile(
    rf"(?P<pct>\s?(?:{_alternation(list(PERCENT))}))"
    rf"|{money.MILLION}|{_suffix('unit', UNITS)}|{_suffix('cur', CURRENCIES)}"
    rf"|{money.THOUSAND}"
)


def suffix_reading(
    number: str, spoken: str, suffix: re.Match[str], numbers: NumberWords
) -> tuple[str, str]:
    """The words of the number and its suffix, and the rule that read them."""
    group, text = suffix.lastgroup, suffix.group()
    if group in ("thousand", "million"):
        return money.shorthand(number, spoken, text, numbers), "money_shorthand"
    key = text.strip()
    if group == "pct":
        return f"{spoken} {PERCENT[key]}", "percent"
    if group == "unit":
        return f"{spoken} {UNITS[key]}", "unit"
    return f"{spoken} {CURRENCIES[key]}", "currency"
