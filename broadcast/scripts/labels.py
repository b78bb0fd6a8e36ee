"""Labelled lines a board member types at the top of a Notepad or Word script.

``Tiêu đề: …``, ``Chủ đề: …``, ``Hiệu lực đến: …`` (or the English keys of the ``.md`` front
matter). The rule, so that an ordinary first line is never taken for one: only the lines at
the very top count, each ``label: value`` with a label from ``LABELS``; the block ends at the
first line that is not such a line (a blank line, the title). ``Thông báo: Lịch tiếp công dân``
is no label, so it stays the title. A known label with a bad value is an error on its line,
never read aloud.

Validity is often typed on one line: ``Hiệu lực: từ 01/12/2026 đến 31/12/2026``,
``Hiệu lực: 01/12/2026 - 31/12/2026``, ``Hiệu lực: đến hết ngày 31/12/2026`` (accents or
not). Such a line gives both ends (``split_ranges``); a lone date under ``Hiệu lực`` is an
error, since it could be either end.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from broadcast.scripts.model import without_accents

# Vietnamese labels (also typed without accents) for each field of ``metadata.FIELDS``.
_VIETNAMESE = {
    "title": ("tiêu đề", "tên bản tin"),
    "topic": ("chủ đề",),
    "valid_from": ("hiệu lực từ", "hiệu lực từ ngày", "phát từ ngày"),
    "valid_until": ("hiệu lực đến", "hiệu lực đến ngày", "phát đến ngày"),
    "priority": ("ưu tiên", "mức ưu tiên"),
    "zones": ("khu vực", "khu vực phát", "vùng phát"),
    "times_per_week": ("số lần mỗi tuần", "số lần một tuần"),
    "voice": ("giọng đọc",),
    "speed": ("tốc độ đọc",),
    "author": ("người viết", "tác giả"),
}
# One line giving both ends of the validity: a label of its own, not a field of ``Metadata``.
VALIDITY = "validity"
_VALIDITY_SPELLINGS = ("hiệu lực", "thời gian hiệu lực", "thời hạn hiệu lực")
_NUMBERS = frozenset({"times_per_week", "speed"})
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_LIST_SEPARATOR = re.compile(r"\s*[,;]\s*")
_SPACES = re.compile(r"\s+")


def _folded(label: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", label).strip()).casefold()


def _labels() -> dict[str, str]:
    labels = {}
    for name, spellings in _VIETNAMESE.items():
        labels[name] = name
        labels[name.replace("_", " ")] = name
        for spelling in spellings:
            labels[spelling] = name
            labels[without_accents(spelling)] = name
    return labels


LABELS = _labels()  # folded label → field name
VIETNAMESE_NAMES = {name: spellings[0] for name, spellings in _VIETNAMESE.items()}
_VALIDITY_LABELS = frozenset(
    {VALIDITY, *_VALIDITY_SPELLINGS, *map(without_accents, _VALIDITY_SPELLINGS)}
)


def field_named(label: str) -> str | None:
    """The field a label stands for (``Hiệu lực đến`` → ``valid_until``), or ``None``."""
    return LABELS.get(_folded(label))


def entry_field(label: str) -> str | None:
    """As ``field_named``, and ``VALIDITY`` for a label giving both ends (``Hiệu lực``)."""
    return VALIDITY if _folded(label) in _VALIDITY_LABELS else field_named(label)


@dataclass(frozen=True)
class Entry:
    label: str  # as typed, for messages
    field: str
    value: str
    place: int  # index of the line (or table row) it came from, from 0


def labelled(line: str) -> tuple[str, str, str] | None:
    """``(label, field, value)`` when ``line`` is ``known label: value``, else ``None``."""
    label, colon, value = line.partition(":")
    name = entry_field(label) if colon else None
    return None if name is None else (label.strip(), name, value.strip())


def leading_entries(lines: list[str]) -> list[Entry]:
    """The labelled lines at the very top of ``lines``, stopping at the first other line."""
    entries = []
    for place, line in enumerate(lines):
        found = labelled(line)
        if found is None:
            break
        entries.append(Entry(*found, place))
    return entries


_DATE = r"(\d{1,4}[./-]\d{1,2}[./-]\d{1,4})"  # shaped like a date; dates.py says if it exists
_FROM = r"(?:(?:ke\s+)?tu\s+)?(?:ngay\s+)?"
_UNTIL = r"(?:den|toi)\s+(?:het\s+)?(?:ngay\s+)?"
# Matched on the value folded to lower case without accents ("Từ" → "tu", "đến hết" → "den het").
_BOTH_ENDS = re.compile(
    rf"{_FROM}{_DATE}\s*(?:[-–—]|\bden\b|\btoi\b)\s*(?:het\s+)?(?:ngay\s+)?{_DATE}"
)
_START_ONLY = re.compile(rf"(?:ke\s+)?tu\s+(?:ngay\s+)?{_DATE}(?:\s+tro\s+di)?")
_END_ONLY = re.compile(rf"{_UNTIL}{_DATE}")
_DAY_ONLY = re.compile(rf"(?:ngay\s+)?{_DATE}")
_LAST_DAY = re.compile(rf"(?:het\s+)?(?:ngay\s+)?{_DATE}")
_VALIDITY_EXAMPLES = '"từ 01/12/2026 đến 31/12/2026", "từ 01/12/2026" hoặc "đến 31/12/2026"'


def _plain(value: str) -> str:
    return _SPACES.sub(" ", without_accents(value).casefold()).strip().rstrip(".").strip()


def _ends(value: str) -> tuple[str | None, str | None] | None:
    """(start, end) of a validity as typed, each a date as written or ``None``; ``None`` when
    the value has neither shape."""
    folded = _plain(value)
    if match := _BOTH_ENDS.fullmatch(folded):
        return match[1], match[2]
    if match := _START_ONLY.fullmatch(folded):
        return match[1], None
    if match := _END_ONLY.fullmatch(folded):
        return None, match[1]
    return None


def _day_of(field: str, value: str) -> str:
    """``ngày 01/12/2026`` under a one-end label, ``hết ngày 31/12/2026`` under an end label:
    the date itself; anything else as typed, for the date check to name."""
    match = (_LAST_DAY if field == "valid_until" else _DAY_ONLY).fullmatch(_plain(value))
    return match[1] if match else value


def split_ranges(entries: Iterable[Entry]) -> tuple[list[Entry], list[Entry]]:
    """Entries with every validity line split into its ends (both keep the line), and the
    ``Hiệu lực`` lines whose value is no validity (errors for the caller to place)."""
    kept: list[Entry] = []
    bad: list[Entry] = []
    for entry in entries:
        if entry.field not in (VALIDITY, "valid_from", "valid_until"):
            kept.append(entry)
            continue
        if not entry.value.strip():  # left empty, as any field may be: not given
            continue
        ends = _ends(entry.value)
        start, end = ends if ends else (None, None)
        if entry.field == VALIDITY and ends is None:
            bad.append(entry)
        elif entry.field == VALIDITY or (entry.field == "valid_from" and start and end):
            kept += [
                Entry(entry.label, name, day, entry.place)
                for name, day in (("valid_from", start), ("valid_until", end))
                if day is not None
            ]
        else:
            kept.append(
                Entry(entry.label, entry.field, _day_of(entry.field, entry.value), entry.place)
            )
    return kept, bad


def validity_problem(entry: Entry) -> str:
    """What is wrong with a ``Hiệu lực`` line ``split_ranges`` could not read."""
    return (
        f'"{entry.value}" không đọc được thành thời gian hiệu lực; viết ví dụ '
        f"{_VALIDITY_EXAMPLES} (ngày/tháng/năm)"
    )


def _scalar(field: str, value: str) -> str:
    if field == "zones":
        items = [item for item in _LIST_SEPARATOR.split(value) if item]
        return "[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in items) + "]"
    if field in _NUMBERS and _NUMBER.fullmatch(value):
        return value
    return json.dumps(value, ensure_ascii=False) if value else ""


def as_yaml(entries: Iterable[Entry]) -> str:
    """One YAML line per entry, in order, every value quoted as typed: a colon in a title or a
    ``#`` in a value is text here, not YAML syntax. Zones may be listed with commas."""
    return "".join(f"{entry.field}: {_scalar(entry.field, entry.value)}\n" for entry in entries)
