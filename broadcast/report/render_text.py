"""The report as CSV (for spreadsheets) or Markdown (for reading and pasting)."""

from __future__ import annotations

import csv
import io

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


def render_csv(document: ReportDocument) -> str:
    """Sections one after another, each with its title row; numbers with a decimal point."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([document.title])
    writer.writerow([document.subtitle])
    writer.writerow([])
    writer.writerows(document.summary)
    for table in document.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.headings)
        writer.writerows(table.rows)
    writer.writerow([])
    writer.writerows([note] for note in document.notes)
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
