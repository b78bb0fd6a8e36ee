"""Printing for the terminal: aligned tables with Vietnamese headings, JSON, diagnostics, and
the cells every table writes the same way (``m:ss`` durations, shortened titles)."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from broadcast.diagnostics import Diagnostic


def display_width(text: str) -> int:
    """Terminal columns taken by ``text``: combining marks take none, wide characters two."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def shortened(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns, with "…" where it was cut."""
    if display_width(text) <= width:
        return text
    while display_width(text) > width - 1:
        text = text[:-1]
    return text.rstrip() + "…"


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def print_table(
    columns: Sequence[tuple[str, str]],
    rows: Iterable[Mapping[str, Any]],
    out: TextIO | None = None,
) -> None:
    """``columns`` pairs a row key with its heading; cells are padded to line up."""
    out = out or sys.stdout
    cells = [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    headings = [heading for _, heading in columns]
    widths = [
        max([display_width(h)] + [display_width(r[i]) for r in cells])
        for i, h in enumerate(headings)
    ]

    def line(values: Sequence[str]) -> str:
        padded = (v + " " * (w - display_width(v)) for v, w in zip(values, widths, strict=True))
        return "  ".join(padded).rstrip()

    print(line(headings), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for row in cells:
        print(line(row), file=out)


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, Diagnostic):
        return value.to_json()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def print_json(data: Any, out: TextIO | None = None) -> None:
    json.dump(data, out or sys.stdout, ensure_ascii=False, indent=2, default=_json_default)
    print(file=out or sys.stdout)


def print_diagnostics(diagnostics: Iterable[Diagnostic], out: TextIO | None = None) -> None:
    for diagnostic in diagnostics:
        print(str(diagnostic), file=out or sys.stderr)
