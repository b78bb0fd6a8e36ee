"""Reading times and weekdays as the technician typed them (dates: ``broadcast.scripts.dates``).

The raw text of each scalar is used, never YAML's own conversion: YAML 1.1 turns an unquoted
``17:30`` into the number 1050.
"""

from __future__ import annotations

import re
from datetime import time

from broadcast.yamlsource import Located

_TIME = re.compile(r"(\d{1,2})[:hH](\d{2})")

WEEKDAYS = {
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{f"t{i + 2}": i for i in range(6)},  # thứ hai (T2) … thứ bảy (T7)
    "cn": 6,  # chủ nhật
}
WEEKDAY_LABELS_VI = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")


def raw_text(value: Located, what: str) -> str:
    text = value.written
    if text is None:
        raise value.fail("not_text", f"{what} phải là một đoạn chữ")
    return text


def clock_time(value: Located, what: str = "giờ") -> time:
    text = raw_text(value, what)
    match = _TIME.fullmatch(text)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise value.fail(
        "bad_time", f'{what} "{text}" không hợp lệ (cần dạng HH:MM, từ 00:00 đến 23:59)'
    )


def weekdays(value: Located) -> frozenset[int]:
    """A list of days (``T2``…``T7``, ``CN`` or ``mon``…``sun``); ``T2-T7`` is a range."""
    days: set[int] = set()
    for item in value.items("weekdays"):
        text = raw_text(item, "ngày trong tuần")
        first, _, last = text.lower().replace("–", "-").replace(" ", "").partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise item.fail(
                "bad_weekday",
                f'ngày trong tuần "{text}" không hợp lệ (dùng T2, T3, T4, T5, T6, T7, CN '
                "hoặc mon…sun)",
            )
        start, end = WEEKDAYS[first], WEEKDAYS[last or first]
        days.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)])
    return frozenset(days)
