"""The report as one self-contained HTML page, chart included as inline SVG."""

from __future__ import annotations

from html import escape

from broadcast.report.document import ReportDocument
from broadcast.report.render_text import format_number_vi
from broadcast.report.svg_chart import render_svg
from broadcast.report.tables import Cell

_STYLE = """
body { font-family: "Times New Roman", serif; max-width: 60rem; margin: 2rem auto; }
h1 { font-size: 1.4rem; text-align: center; } .subtitle { text-align: center; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #888; padding: 0.2rem 0.5rem; } th { background: #ddebf7; }
td.number { text-align: right; } .notes { font-size: 0.85rem; font-style: italic; }
"""


def _cell(value: Cell) -> str:
    css = "" if isinstance(value, str) else ' class="number"'
    return f"<td{css}>{escape(format_number_vi(value))}</td>"


def _table(headings: tuple[str, ...], rows: tuple[tuple[Cell, ...], ...]) -> list[str]:
    lines = ["<table>", "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in headings) + "</tr>"]
    lines += ["<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows]
    lines.append("</table>")
    return lines


def render_html(document: ReportDocument) -> str:
    lines = [
        "<!DOCTYPE html>",
        '<html lang="vi">',
        '<head><meta charset="utf-8">',
        f"<title>{escape(document.title)}</title>",
        f"<style>{_STYLE}</style></head>",
        "<body>",
        f"<h1>{escape(document.title)}</h1>",
        f'<p class="subtitle">{escape(document.subtitle)}</p>',
    ]
    lines += _table(("Chỉ tiêu", "Số liệu"), document.summary)
    for table in document.tables:
        lines.append(f"<h2>{escape(table.title)}</h2>")
        lines += _table(table.headings, table.rows) if table.rows else ["<p>Không có.</p>"]
        if table.key == document.chart.table_key:
            lines.append(render_svg(document.chart))
    lines.append('<div class="notes">')
    lines += [f"<p>{escape(note)}</p>" for note in document.notes]
    lines += ["</div>", "</body>", "</html>"]
    return "\n".join(lines) + "\n"
