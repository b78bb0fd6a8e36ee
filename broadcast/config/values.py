"""Reading times, dates and weekdays as the technician typed them.

The raw text of each scalar is used, never YAML's own conversion: YAML 1.1 turns an unquoted
``17:30`` into the number 1050 and accepts ``2026-02-31`` as a date.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time

import yaml

from broadcast.yamlsource import Located

_TIME = re.compile(r"(\d{1,2})[:hH](\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_VN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

WEEKDAYS = {
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{f"t{i + 2}": i for i in range(6)},  # thứ hai (T2) … thứ bảy (T7)
    "cn": 6,  # chủ nhật
}
WEEKDAY_LABELS_VI = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")


def raw_text(value: Located, what: str) -> str:
    if not isinstance(value.node, yaml.ScalarNode) or value.is_null:
        raise value.fail("not_text", f"{what} phải là một đoạn chữ")
    return unicodedata.normalize("NFC", str(value.node.value).strip())


def clock_time(value: Located, what: str = "giờ") -> time:
    text = raw_text(value, what)
    match = _TIME.fullmatch(text)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise value.fail(
        "bad_time", f'{what} "{text}" không hợp lệ (cần dạng HH:MM, từ 00:00 đến 23:59)'
    )


def date_from_text(text: str) -> date | None:
    """``08/03/2026`` (day/month/year, as written in Vietnam) or ``2026-03-08``.

    ``None`` when the text is not shaped like a date; ``ValueError`` when no such day exists.
    """
    if match := _VN_DATE.fullmatch(text.strip()):
        return date(int(match[3]), int(match[2]), int(match[1]))
    if match := _ISO_DATE.fullmatch(text.strip()):
        return date(int(match[1]), int(match[2]), int(match[3]))
    return None


def calendar_date(value: Located, what: str = "ngày") -> date:
    text = raw_text(value, what)
    try:
        day = date_from_text(text)
    except ValueError as exc:
        raise value.fail("bad_date", f'{what} "{text}" không tồn tại') from exc
    if day is None:
        raise value.fail(
            "bad_date", f'{what} "{text}" không đúng dạng ngày/tháng/năm (ví dụ 08/03/2026)'
        )
    return day


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
