"""Front matter of a ``.md`` script and the sidecar ``.yaml`` of a recording: the same fields.

Field problems are reported by line only: each field sits on its own line, so a column would
add nothing for the board (``dvc.md:4: ngày valid_until "31/02/2023" không tồn tại``).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from broadcast import yamlsource
from broadcast.diagnostics import Diagnostic, DiagnosticCollector, InputError, Severity
from broadcast.scripts.dates import located_date
from broadcast.scripts.labels import field_named
from broadcast.scripts.model import Priority, priority_forms, priority_named

FIELDS = (
    "title",
    "topic",
    "valid_from",
    "valid_until",
    "priority",
    "zones",
    "times_per_week",
    "voice",
    "speed",
    "author",
)
SPEED_RANGE = (0.5, 2.0)

# What a wrong priority is told to write: an emergency is the head of the board's to approve
# (or the technician's ``announce``), not a word to suggest to whoever typed "rất gấp".
_FORMS = priority_forms(Priority.NORMAL, Priority.PRIORITY)
# An emergency airs inside quiet hours and before everything else, so a file anyone can drop
# in may ask for it only where the head of the board approves each text: with approval off,
# ``check`` and the daemon refuse it (``config.references.emergencies_without_approval``).
EMERGENCY_IN_SCRIPT = "emergency_in_script"
_EMERGENCY_NOTE = (
    "bài khẩn cấp phát cả trong giờ yên tĩnh và trước mọi bài khác; chỉ phát khi Trưởng ban "
    "biên tập đã duyệt (approval: required trong schedules.yaml)"
)


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    topic: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    priority: Priority = Priority.NORMAL
    zones: tuple[str, ...] | None = None
    times_per_week: int | None = None
    voice: str | None = None
    speed: float | None = None
    author: str | None = None


def _at(value: yamlsource.Located, code: str, message: str) -> InputError:
    return InputError([Diagnostic(value.file, value.line, None, code, message)])


def _without_column(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [dataclasses.replace(d, column=None) for d in diagnostics]


def _text(value: yamlsource.Located, name: str) -> str:
    text = unicodedata.normalize("NFC", value.text(name)).strip()
    if not text:
        raise _at(value, "empty_value", f"{name} không được để trống")
    return text


def _priority(value: yamlsource.Located) -> Priority:
    name = " ".join(unicodedata.normalize("NFC", value.text("priority")).lower().split())
    priority = priority_named(name)
    if priority is None:
        raise _at(value, "bad_priority", f'mức ưu tiên "{name}" không hợp lệ; viết {_FORMS}')
    return priority


def _zones(value: yamlsource.Located) -> tuple[str, ...]:
    # "tdp-1, tdp-2" on one line, as the labelled lines take it, is two zones, not one
    written = (_text(item, "tên vùng phát") for item in value.items("zones"))
    zones = tuple(zone.strip() for text in written for zone in text.split(",") if zone.strip())
    if not zones:
        raise _at(value, "empty_value", "zones phải nêu ít nhất một vùng phát")
    return zones


def _speed(value: yamlsource.Located) -> float:
    speed = value.number("speed")
    low, high = SPEED_RANGE
    if not low <= speed <= high:
        message = f"speed phải trong khoảng {low} đến {high}, không phải {speed}"
        raise _at(value, "bad_speed", message)
    return speed


def _field(name: str, value: yamlsource.Located) -> object:
    if name in ("valid_from", "valid_until"):
        return located_date(value, f"ngày {name}")
    if name == "priority":
        return _priority(value)
    if name == "zones":
        return _zones(value)
    if name == "times_per_week":
        return value.integer("times_per_week", minimum=1)
    if name == "speed":
        return _speed(value)
    return _text(value, name)


def _fields_of(root: yamlsource.Located) -> dict[str, yamlsource.Located]:
    """Values by field name; a key may be the field's Vietnamese label (``chủ đề``)."""
    try:
        entries = root.mapping("phần thông tin")
        keys = root.keys("phần thông tin")
    except InputError as exc:
        raise InputError(_without_column(list(exc.diagnostics))) from exc
    fields: dict[str, yamlsource.Located] = {}
    for key, value in entries.items():
        name = field_named(key)
        if name is None:
            continue
        if name in fields:
            raise keys[key].fail("duplicate_key", f'"{key}" ghi lại trường {name} lần nữa')
        fields[name] = value
    return fields


def read_fields(root: yamlsource.Located | None) -> tuple[dict[str, Any], tuple[Diagnostic, ...]]:
    """The fields given (a name absent is not given), validated; raises ``InputError`` with
    every problem, else returns the warnings."""
    if root is None:
        return {}, ()
    found = _fields_of(root)
    collector = DiagnosticCollector()
    known = [*FIELDS, *(key for key in root.mapping() if field_named(key))]
    collector.extend(yamlsource.unknown_keys(root, known, "phần thông tin"))
    fields: dict[str, Any] = {}  # Any: each field has its own type, which _field checked
    for name, value in found.items():
        if not value.is_null:
            with collector.guard():
                fields[name] = _field(name, value)
    if fields.get("priority") is Priority.EMERGENCY:
        collector.add(
            found["priority"].diagnostic(EMERGENCY_IN_SCRIPT, _EMERGENCY_NOTE, Severity.WARNING)
        )
    errors, warnings = _without_column(collector.errors), _without_column(collector.warnings)
    if errors:
        raise InputError(errors + warnings)
    start, end = fields.get("valid_from"), fields.get("valid_until")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        raise InputError(
            _without_column(
                [
                    found["valid_until"].diagnostic(
                        "bad_validity",
                        f"valid_until ({end:%d/%m/%Y}) đứng trước valid_from ({start:%d/%m/%Y})",
                    ),
                    *warnings,
                ]
            )
        )
    return fields, tuple(warnings)


def read_metadata(root: yamlsource.Located | None) -> tuple[Metadata, tuple[Diagnostic, ...]]:
    """Validate every field; raises ``InputError`` with all problems, else returns warnings."""
    fields, warnings = read_fields(root)
    return Metadata(**fields), warnings


def parse_metadata(
    text: str, source: str, line_offset: int = 0
) -> tuple[Metadata, tuple[Diagnostic, ...]]:
    """YAML text (front matter or sidecar) → metadata and warnings; raises ``InputError``."""
    return read_metadata(yamlsource.parse(text, source, line_offset))


@dataclass(frozen=True)
class FrontMatter:
    yaml_text: str | None  # None: the file has no front matter
    body: str
    body_line: int  # line of the file where the body starts


_FENCE = "---"


def split_front_matter(text: str, source: str) -> FrontMatter:
    """Separate YAML between ``---`` lines at the top of a ``.md`` file from its body."""
    lines = text.split("\n")
    if lines[0].rstrip() != _FENCE:
        return FrontMatter(None, text, 1)
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() in (_FENCE, "..."):
            return FrontMatter("\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2)
    raise InputError(
        [
            Diagnostic(
                source,
                1,
                None,
                "unterminated_front_matter",
                "phần thông tin đầu tệp mở bằng '---' ở dòng 1 nhưng không có dòng '---' đóng lại",
            )
        ]
    )
