"""The report as CSV (for spreadsheets) or Markdown (for reading and pasting)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from broadcast.diagnostics import thousands
from broadcast.report.document import ReportDocument
from broadcast.report.tables import Cell


def format_number_vi(value: Cell) -> str:
    """Vietnamese convention: "." groups thousands, "," is the decimal point; None is "–"."""
    if value is None:
        return "–"
    if isinstance(value, int):
        return thousands(value)
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return value


CSV_LOCALES = ("en", "vi")


def _csv_cell_vi(value: Cell) -> Cell:
    """Excel set to Vietnamese reads "6,5" as a number; digits are left ungrouped, since a
    "." there would be read as a thousands separator only in that locale."""
    return f"{value:.1f}".replace(".", ",") if isinstance(value, float) else value


def render_csv(document: ReportDocument, locale: str = "en") -> str:
    """Sections one after another, each with its title row. ``en``: "," between fields and a
    decimal point; ``vi`` (Excel in the Vietnamese locale): ";" and a decimal comma."""
    out = io.StringIO()
    vi = locale == "vi"
    writer = csv.writer(out, delimiter=";" if vi else ",", lineterminator="\n")

    def rows(found: Iterable[Iterable[Cell]]) -> None:
        writer.writerows([_csv_cell_vi(v) for v in row] if vi else row for row in found)

    rows([[document.title], [document.subtitle], []])
    rows(document.summary)
    for table in document.tables:
        rows([[], [table.title], table.headings])
        rows(table.rows)
    rows([[]])
    rows([note] for note in document.notes)
    return out.getvalue()


def _md_cell(value: Cell) -> str:
    return format_number_vi(value).replace("|", "\\|")


def render_markdown(document: ReportDocument) -> str:
    lines = [f"# {document.title}", "", f"*{document.subtitle}*", ""]
    lines += ["| Chỉ tiêu | Số liệu |", "|---|---:|"]
    lines += [f"| {label} | {_md_cell(value)} |" for label, value in document.summary]
    for table in document.tables:
        lines += ["", f"## {table.title}", ""]
        if not table.rows:
            lines.append("Không có.")
            continue
        lines.append("| " + " | ".join(table.headings) + " |")
        numeric = [
            all(not isinstance(row[i], str) for row in table.rows)
            for i in range(len(table.headings))
        ]
        lines.append("|" + "|".join("---:" if right else "---" for right in numeric) + "|")
        lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in table.rows]
    lines.append("")
    lines += [f"*{note}*  " for note in document.notes]
    return "\n".join(lines) + "\n"
