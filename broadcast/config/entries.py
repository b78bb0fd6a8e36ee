"""Lists of entries with an ``id`` (zones, programs, slots): the checks they all share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from broadcast import yamlsource
from broadcast.config.values import raw_text
from broadcast.diagnostics import DiagnosticCollector
from broadcast.yamlsource import Located

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    id: str
    fields: dict[str, Located]
    where: Located  # the whole entry, for messages about a missing key

    def required(self, key: str, what: str) -> Located:
        if key not in self.fields or self.fields[key].is_null:
            raise self.where.fail("missing_key", f'{what} "{self.id}" thiếu khóa "{key}"')
        return self.fields[key]


def entries(
    section: Located | None,
    what: str,
    known_keys: tuple[str, ...],
    collector: DiagnosticCollector,
    taken: dict[str, int],
) -> list[Entry]:
    """Each well-formed entry of ``section``; ``taken`` maps ids already used to their line."""
    if section is None or section.is_null:
        return []
    found = []
    for item in section.items(what):
        with collector.guard():
            fields = item.mapping(what)
            collector.extend(yamlsource.unknown_keys(item, known_keys, what))
            if "id" not in fields:
                raise item.fail("missing_key", f'{what} thiếu khóa "id"')
            entry_id = raw_text(fields["id"], "id")
            if entry_id in taken:
                raise fields["id"].fail(
                    "duplicate_id", f'mã "{entry_id}" bị trùng với mục ở dòng {taken[entry_id]}'
                )
            taken[entry_id] = fields["id"].line
            found.append(Entry(entry_id, fields, item))
    return found


def checked(collector: DiagnosticCollector, read: Callable[[], T], fallback: T) -> T:
    """``read()``, or ``fallback`` after recording its problem; later fields still get checked."""
    with collector.guard():
        return read()
    return fallback


def section_fields(
    section: Located,
    what: str,
    known_keys: tuple[str, ...],
    required: tuple[str, ...],
    collector: DiagnosticCollector,
    example: str = "",
) -> dict[str, Located]:
    """A section's fields, its unknown keys warned about; ``InputError`` naming every required
    key missing (with ``example``, a hint in parentheses, when given)."""
    fields = section.mapping(what)
    collector.extend(yamlsource.unknown_keys(section, known_keys, what))
    missing = [key for key in required if key not in fields or fields[key].is_null]
    if missing:
        shown = ", ".join(f'"{key}"' for key in missing)
        hint = f" ({example})" if example else ""
        raise section.fail("missing_key", f"{what} thiếu khóa {shown}{hint}")
    return fields
