"""The report as an Excel workbook, with a native bar chart of minutes by topic."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from broadcast.report.document import ReportDocument
from broadcast.report.tables import Cell, Table

SHEET_TITLE = "Báo cáo"
_HEADING_FILL = PatternFill("solid", fgColor="DDEBF7")
_BOLD = Font(bold=True)


def _write_table(sheet: Worksheet, table: Table, top: int) -> int:
    """Writes ``table`` from row ``top``; returns the first row of its data."""
    sheet.cell(top, 1, table.title).font = _BOLD
    for column, heading in enumerate(table.headings, start=1):
        cell = sheet.cell(top + 1, column, heading)
        cell.font, cell.fill = _BOLD, _HEADING_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for offset, row in enumerate(table.rows):
        for column, value in enumerate(row, start=1):
            _put(sheet, top + 2 + offset, column, value)
    return top + 2


def _put(sheet: Worksheet, row: int, column: int, value: Cell) -> None:
    cell = sheet.cell(row, column, value)
    if isinstance(value, float):
        cell.number_format = "0.0"


def _add_chart(sheet: Worksheet, document: ReportDocument, data_row: int) -> None:
    spec = document.chart
    count = len(spec.bars)
    chart = BarChart()
    chart.type = "bar"  # horizontal: topic names are long
    chart.title = spec.title
    chart.x_axis.title = "Chủ đề"
    chart.y_axis.title = spec.axis_title
    chart.legend = None
    column = spec.value_column + 1
    last = data_row + max(count, 1) - 1
    values = Reference(sheet, min_col=column, min_row=data_row - 1, max_row=last)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=data_row, max_row=last))
    chart.height, chart.width = 7 + 0.6 * count, 18
    sheet.add_chart(chart, f"J{data_row - 1}")  # right of the widest table (8 columns)


def write_xlsx(document: ReportDocument, path: Path) -> None:
    book = Workbook()
    sheet = cast(Worksheet, book.active)  # a new workbook opens on its one, empty worksheet
    sheet.title = SHEET_TITLE
    sheet.cell(1, 1, document.title).font = Font(bold=True, size=14)
    sheet.cell(2, 1, document.subtitle).font = Font(italic=True)
    row = 4
    for label, value in document.summary:
        sheet.cell(row, 1, label)
        _put(sheet, row, 2, value)
        row += 1
    for table in document.tables:
        data_row = _write_table(sheet, table, row + 1)
        if table.key == document.chart.table_key:
            _add_chart(sheet, document, data_row)
        row = data_row + len(table.rows)
    row += 1
    for note in document.notes:
        sheet.cell(row, 1, note).font = Font(italic=True, size=9)
        row += 1
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 40
    for letter in "CDEFGH":
        sheet.column_dimensions[letter].width = 16
    book.save(path)
