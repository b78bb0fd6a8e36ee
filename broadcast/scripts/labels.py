"""Labelled lines a board member types at the top of a Notepad or Word script.

``Tiêu đề: …``, ``Chủ đề: …``, ``Hiệu lực đến: …`` (or the English keys of the ``.md`` front
matter). The rule, so that an ordinary first line is never taken for one: only the lines at
the very top count, each ``label: value`` with a label from ``LABELS``; the block ends at the
first line that is not such a line (a blank line, the title). ``Thông báo: Lịch tiếp công dân``
is no label, so it stays the title. A known label with a bad value is an error on its line,
never read aloud.
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


def field_named(label: str) -> str | None:
    """The field a label stands for (``Hiệu lực đến`` → ``valid_until``), or ``None``."""
    return LABELS.get(_folded(label))


@dataclass(frozen=True)
class Entry:
    label: str  # as typed, for messages
    field: str
    value: str
    place: int  # index of the line (or table row) it came from, from 0


def labelled(line: str) -> tuple[str, str, str] | None:
    """``(label, field, value)`` when ``line`` is ``known label: value``, else ``None``."""
    label, colon, value = line.partition(":")
    name = field_named(label) if colon else None
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
