"""Money shorthand written right after a number: "300k", "15K", "2tr", "2tr5", "1tr2", "5 tr".

"k" is a thousand (đồng); "tr" a million, and digits written after it are the first digits
of the thousands below it, as in a decimal: "1tr2" is 1,200,000, "2tr05" is 2,050,000. They
are read in full ("một triệu hai trăm nghìn") rather than as the market's "một triệu hai",
which an older listener may take for a different amount; only a half million is read
"rưỡi", as announcers say "hai triệu rưỡi". A capital "K" counts as a thousand after two
digits or more: "5K" is the health ministry's message (read "năm ca"), "300K" a price.
"""

from __future__ import annotations

from broadcast.textnorm.numbers import NumberWords

# Read after the number's own words; groups of units.SUFFIX.
THOUSAND = r"(?P<thousand>k|(?<=\d\d)K)(?![^\W_])"
MILLION = r"(?P<million>\s?(?:tr|Tr|TR)(?P<rest>\d{1,3})?)(?![^\W_])"
_HALF = "5"


def shorthand(number: str, spoken: str, suffix: str, numbers: NumberWords) -> str:
    """The whole amount: ``spoken`` is how ``number`` alone reads, ``suffix`` what follows it."""
    unit = suffix.strip()
    if unit in ("k", "K"):
        return f"{spoken} {numbers.thousand}"
    rest = unit[2:]
    if not rest:
        return f"{spoken} triệu"
    if rest == _HALF:
        return f"{spoken} triệu rưỡi"
    if number.isdigit():
        return numbers.cardinal(number + rest.ljust(3, "0") + "000")
    return f"{spoken} triệu {numbers.cardinal(rest)}"  # "1,5tr2": read as written
