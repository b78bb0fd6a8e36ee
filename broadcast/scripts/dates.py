"""Dates as the ward writes them: one rule for script fields, ``schedules.yaml`` and commands.

Day first (``31/12/2026``, also with ``.`` or ``-``), as written in Vietnam, or ISO
``2026-12-31``.
"""

from __future__ import annotations

import re
from datetime import date

from broadcast.yamlsource import Located

EXAMPLE = "31/12/2026"  # unambiguous: no month 31, so the reader sees the day comes first
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def date_from_text(text: str) -> date | None:
    """The date written in ``text``; ``None`` when it is not shaped like a date, ``ValueError``
    when it is but no such day exists (``31/02/2026``)."""
    text = text.strip()
    if match := _DAY_FIRST.fullmatch(text):
        return date(int(match[3]), int(match[2]), int(match[1]))
    if match := _ISO.fullmatch(text):
        return date(int(match[1]), int(match[2]), int(match[3]))
    return None


def located_date(value: Located, what: str) -> date:
    """The date written in a YAML value (as typed: see ``Located.written``); fails naming
    ``what``, the text and the line otherwise."""
    text = value.written
    if text is None:
        raise value.fail("not_text", f"{what} phải viết dạng ngày/tháng/năm, ví dụ {EXAMPLE}")
    try:
        day = date_from_text(text)
    except ValueError as exc:
        raise value.fail("bad_date", f'{what} "{text}" không tồn tại') from exc
    if day is None:
        raise value.fail(
            "bad_date", f'{what} "{text}" không đúng dạng ngày/tháng/năm (ví dụ {EXAMPLE})'
        )
    return day
