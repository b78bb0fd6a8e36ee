"""The report as an Excel workbook: a summary sheet, then one sheet per section.

Each sheet prints on A4 fitted to the page's width, repeats and freezes its heading rows, and
opens with the report's title (the ward's name in it when ``report:`` gives one).
Percentages are Excel percentages, so a formula over them needs no dividing by 100.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from broadcast.report.document import ReportDocument
from broadcast.report.tables import Cell, Table, is_percent

SHEET_TITLE = "Báo cáo"  # the summary sheet
# Excel allows 31 characters in a sheet's name: each section gets a short one.
SHEET_NAMES = {
    "by_plan_item": "Theo Kế hoạch",
    "by_topic": "Theo chủ đề",
    "by_zone": "Theo vùng loa",
    "by_cluster": "Theo cụm loa IP",
    "by_quarter": "Theo quý",
    "by_month": "Theo tháng",
    "scripts": "Bản tin",
    "campaigns": "Chiến dịch",
    "not_aired": "Không trọn - theo lý do",
    "unheard": "Không trọn - danh sách",
    "announcements": "Thông báo khẩn, ưu tiên",
}
PERCENT_FORMAT = "0.0%"
_HEADING_FILL = PatternFill("solid", fgColor="DDEBF7")
_BOLD = Font(bold=True)


def _put(sheet: Worksheet, row: int, column: int, value: Cell, percent: bool = False) -> None:
    if percent and isinstance(value, int | float):
        cell = sheet.cell(row, column, value / 100)
        cell.number_format = PERCENT_FORMAT
        return
    cell = sheet.cell(row, column, value)
    if isinstance(value, float):
        cell.number_format = "0.0"


def _page_setup(sheet: Worksheet, heading_row: int) -> None:
    """A4, as wide as the page, heading rows frozen on screen and repeated on paper."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.freeze_panes = f"A{heading_row + 1}"
    sheet.print_title_rows = f"1:{heading_row}"


def _title_rows(sheet: Worksheet, document: ReportDocument, second: str) -> None:
    sheet.cell(1, 1, document.title).font = Font(bold=True, size=14)
    sheet.cell(2, 1, second).font = Font(italic=True)


def _headings(sheet: Worksheet, row: int, headings: tuple[str, ...]) -> None:
    for column, heading in enumerate(headings, start=1):
        cell = sheet.cell(row, column, heading)
        cell.font, cell.fill = _BOLD, _HEADING_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(sheet: Worksheet, first: float, count: int) -> None:
    sheet.column_dimensions["A"].width = first
    for column in range(2, count + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 18


def _summary_sheet(sheet: Worksheet, document: ReportDocument) -> None:
    sheet.title = SHEET_TITLE
    _title_rows(sheet, document, document.subtitle)
    _headings(sheet, 4, ("Chỉ tiêu", "Số liệu"))
    row = 5
    for label, value in document.summary:
        sheet.cell(row, 1, label)
        _put(sheet, row, 2, value, is_percent(label))
        row += 1
    row += 1
    for note in document.notes:
        sheet.cell(row, 1, note).font = Font(italic=True, size=9)
        row += 1
    _page_setup(sheet, 4)
    _widths(sheet, 60, 2)


def _section_sheet(sheet: Worksheet, document: ReportDocument, table: Table) -> None:
    _title_rows(sheet, document, table.title)
    _headings(sheet, 4, table.headings)
    percent = [is_percent(heading) for heading in table.headings]
    for offset, values in enumerate(table.rows):
        for column, value in enumerate(values, start=1):
            _put(sheet, 5 + offset, column, value, percent[column - 1])
    if not table.rows:
        sheet.cell(5, 1, "Không có.").font = Font(italic=True)
    _page_setup(sheet, 4)
    _widths(sheet, 40, len(table.headings))
    if table.key == document.chart.table_key and table.rows:
        _add_chart(sheet, document, len(table.headings))


def _add_chart(sheet: Worksheet, document: ReportDocument, columns: int) -> None:
    spec = document.chart
    count = len(spec.bars)
    chart = BarChart()
    chart.type = "bar"  # horizontal: topic names are long
    chart.title = spec.title
    chart.x_axis.title = "Chủ đề"
    chart.y_axis.title = spec.axis_title
    chart.legend = None
    last = 4 + count
    values = Reference(sheet, min_col=spec.value_column + 1, min_row=4, max_row=last)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=5, max_row=last))
    chart.height, chart.width = 7 + 0.6 * count, 18
    sheet.add_chart(chart, f"{get_column_letter(columns + 2)}4")  # right of the table


def write_xlsx(document: ReportDocument, path: Path) -> None:
    book = Workbook()
    # a new workbook opens on its one, empty worksheet
    _summary_sheet(cast(Worksheet, book.active), document)
    for table in document.tables:
        name = SHEET_NAMES.get(table.key, table.key)[:31]
        _section_sheet(book.create_sheet(name), document, table)
    book.save(path)
