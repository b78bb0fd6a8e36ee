"""A script's fields from several places at once, merged by a fixed precedence.

Strongest first: the sidecar ``.yaml`` next to the script, then the block in the document
(front matter, labelled lines, the Word header table), then Word's document properties, then
(the title only) the heading found in the document. Each field keeps the name of the place it
came from, for ``broadcast check``; where two places give different values, the stronger wins
and a warning says which.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from broadcast import yamlsource
from broadcast.diagnostics import Diagnostic, InputError, Severity
from broadcast.scripts.labels import (
    VIETNAMESE_NAMES,
    Entry,
    as_yaml,
    split_ranges,
    validity_problem,
)
from broadcast.scripts.metadata import Metadata, read_fields
from broadcast.scripts.model import Priority, Script

ORIGIN_FRONT_MATTER = "phần thông tin đầu tệp"
ORIGIN_LINES = "các dòng thông tin đầu tệp"
ORIGIN_WORD_LINES = "các dòng thông tin đầu văn bản Word"
ORIGIN_WORD_TABLE = "bảng đầu văn bản Word"


def property_origin(name: str) -> str:
    return f"thuộc tính {name} của văn bản Word"


def sidecar_origin(name: str) -> str:
    return f"tệp {name}"


@dataclass(frozen=True)
class Layer:
    origin: str  # where the fields were written, as check names it
    fields: dict[str, Any]  # only the fields given there


@dataclass(frozen=True)
class Merged:
    metadata: Metadata
    origins: tuple[tuple[str, str], ...]  # (field, origin) for each field given
    warnings: tuple[Diagnostic, ...]


def _shown(value: object) -> str:
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def _same(one: object, other: object) -> bool:
    if isinstance(one, str) and isinstance(other, str):
        return " ".join(one.split()).casefold() == " ".join(other.split()).casefold()
    return one == other


def merge(layers: Sequence[Layer], source: str) -> Merged:
    """Each field from the strongest layer that gives it; ``InputError`` when the merged
    validity ends before it starts."""
    fields: dict[str, Any] = {}
    origins: dict[str, str] = {}
    warnings = []
    for layer in layers:
        for name, value in layer.fields.items():
            if name not in fields:
                fields[name], origins[name] = value, layer.origin
            elif not _same(fields[name], value):
                message = (
                    f"{VIETNAMESE_NAMES[name]} được ghi ở hai nơi khác nhau: {origins[name]} "
                    f'ghi "{_shown(fields[name])}", còn {layer.origin} ghi "{_shown(value)}"; '
                    f"dùng theo {origins[name]}"
                )
                warnings.append(
                    Diagnostic(source, None, None, "metadata_conflict", message, Severity.WARNING)
                )
    start, end = fields.get("valid_from"), fields.get("valid_until")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        message = (
            f"hiệu lực đến {end:%d/%m/%Y} ({origins['valid_until']}) đứng trước hiệu lực từ "
            f"{start:%d/%m/%Y} ({origins['valid_from']})"
        )
        raise InputError([Diagnostic(source, None, None, "bad_validity", message)])
    order = {name: index for index, name in enumerate(VIETNAMESE_NAMES)}
    given = tuple(sorted(origins.items(), key=lambda item: order[item[0]]))
    return Merged(Metadata(**fields), given, tuple(warnings))


Locate = Callable[[Entry], tuple[int | None, str]]  # an entry → its line, and how to name it


def _placed(diagnostic: Diagnostic, entries: list[Entry], locate: Locate, hint: str) -> Diagnostic:
    if diagnostic.line is None or not 1 <= diagnostic.line <= len(entries):
        return diagnostic
    entry = entries[diagnostic.line - 1]  # as_yaml writes one line per entry
    line, where = locate(entry)
    message = f'{where} "{entry.label}": {diagnostic.message}{hint}'
    return dataclasses.replace(diagnostic, line=line, column=None, message=message)


# A body that happens to open with "Ưu tiên: …" is not read aloud either: say how to keep it.
BODY_HINT = (
    "; nếu dòng này là nội dung cần đọc chứ không phải thông tin của bản tin, "
    "hãy viết tiêu đề bản tin lên dòng đầu"
)


def entries_layer(
    entries: list[Entry], origin: str, source: str, locate: Locate, hint: str = ""
) -> Layer:
    """The fields of labelled lines or table rows, validated as front matter is; every
    problem is placed on the entry's own line (or named by its row), ``hint`` added. Only
    known labels make entries, so no unknown-key warning can arise. A ``Hiệu lực`` entry
    gives both ends of the validity."""
    entries, unread = split_ranges(entries)
    problems = [_unread_validity(entry, source, locate, hint) for entry in unread]
    fields: dict[str, Any] = {}
    if entries:
        try:
            fields, _ = read_fields(yamlsource.parse(as_yaml(entries), source))
        except InputError as exc:
            problems += [_placed(d, entries, locate, hint) for d in exc.diagnostics]
    if problems:
        raise InputError(problems)
    return Layer(origin, fields)


def _unread_validity(entry: Entry, source: str, locate: Locate, hint: str) -> Diagnostic:
    line, where = locate(entry)
    message = f'{where} "{entry.label}": {validity_problem(entry)}{hint}'
    return Diagnostic(source, line, None, "bad_validity_line", message)


_PRIORITY_SHOWN = {
    Priority.NORMAL: "thông thường",
    Priority.PRIORITY: "ưu tiên",
    Priority.EMERGENCY: "khẩn cấp",
}


def _value_shown(value: object) -> str:
    return _PRIORITY_SHOWN[value] if isinstance(value, Priority) else _shown(value)


def origin_lines(script: Script) -> list[str]:
    """``chủ đề: cai-cach-hanh-chinh (từ bảng đầu văn bản Word)``, one per field given."""
    return [
        f"{VIETNAMESE_NAMES[name]}: {_value_shown(getattr(script, name))} (từ {origin})"
        for name, origin in script.field_origins
    ]
