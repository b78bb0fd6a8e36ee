import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart

from broadcast.clock import FakeClock
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.report import Labels, parse_period, period_report, save_report
from broadcast.report.render_text import render_csv

NOW = FakeClock(datetime(2023, 4, 5, 9, 30, tzinfo=WARD_TIMEZONE))
NAMES = Labels(topics={"dvc": "Dịch vụ công trực tuyến", "mot-cua": "Cơ chế một cửa"})


@pytest.fixture
def document(quarter_log):
    return period_report(quarter_log, parse_period("2023-Q1"), NAMES, clock=NOW)


def test_xlsx_holds_the_figures_and_a_native_chart_of_minutes_by_topic(document, tmp_path):
    path = tmp_path / "bao-cao.xlsx"
    save_report(document, "xlsx", path)
    book = load_workbook(path)
    summary = book["Báo cáo"]
    assert summary["A1"].value == document.title
    cells = {row[0]: row[1:] for row in summary.iter_rows(values_only=True) if row[0]}
    assert cells["Tỷ lệ thực hiện kế hoạch, theo lượt tại vùng loa (%)"][0] == 0.5
    sheet = book["Theo chủ đề"]
    cells = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert cells["Dịch vụ công trực tuyến"][:4] == (2, 1, 4.0, 0.5)
    assert cells["Chủ đề"][2] == "Thời lượng phát ra loa (phút)"
    zones = {row[0]: row[1:] for row in book["Theo vùng loa"].iter_rows(values_only=True)}
    assert zones["to-2"][:5] == (4, 1, 3.2, 0.25, 0)

    (chart,) = sheet._charts
    assert isinstance(chart, BarChart)
    (series,) = chart.series
    assert series.val.numRef.f == "'Theo chủ đề'!$D$5:$D$7"
    assert series.cat.numRef.f == "'Theo chủ đề'!$A$5:$A$7"
    bars = [sheet.cell(r, 4).value for r in range(5, 8)]
    assert bars == [4.0, 1.5, 0.5]


def test_xlsx_has_a_sheet_per_section_ready_to_print(document, tmp_path):
    path = tmp_path / "bao-cao.xlsx"
    save_report(document, "xlsx", path)
    book = load_workbook(path)
    assert book.sheetnames == [
        "Báo cáo",
        "Theo chủ đề",
        "Theo vùng loa",
        "Theo tháng",
        "Bản tin",
        "Không trọn - theo lý do",
        "Không trọn - danh sách",
        "Thông báo khẩn, ưu tiên",
    ]
    for sheet, table in zip(book.worksheets[1:], document.tables, strict=True):
        assert (sheet["A1"].value, sheet["A2"].value) == (document.title, table.title)
        assert tuple(c.value for c in sheet[4][: len(table.headings)]) == table.headings
        assert sheet.freeze_panes == "A5" and sheet.print_title_rows == "$1:$4"
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (9, 1, 0)  # 9: A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    rates = book["Theo tháng"]
    march = next(row for row in rates.iter_rows() if row[0].value == "Tháng 3/2023")
    assert (march[4].value, march[4].number_format) == (0.5, "0.0%")


def test_html_is_self_contained_with_one_svg_bar_per_topic(document, tmp_path):
    path = tmp_path / "bao-cao.html"
    save_report(document, "html", path)
    page = path.read_text(encoding="utf-8")
    assert "<h1>Báo cáo kết quả tuyên truyền" in page and "Quý I năm 2023" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    bars = re.findall(r'<rect class="bar"[^>]*width="([\d.]+)"', svg)
    assert len(bars) == 3
    assert float(bars[0]) > float(bars[1]) > float(bars[2]) > 0  # 4.0 > 1.5 > 0.5 minutes
    assert "Cơ chế một cửa" in svg
    assert not re.search(r"\b(src|href)=", page)  # no external assets
    assert '<td class="number">66,7</td>' in page  # Vietnamese decimal comma


def test_markdown_reads_as_tables(document, tmp_path):
    path = tmp_path / "bao-cao.md"
    save_report(document, "md", path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# {document.title}\n")
    assert "| Dịch vụ công trực tuyến | 2 | 1 | 4,0 | 50,0 |" in text
    assert "## 5. Lượt tại vùng loa không phát trọn vẹn ra loa, theo lý do" in text


def test_csv_opens_in_excel_and_parses_back(document, tmp_path):
    path = tmp_path / "bao-cao.csv"
    save_report(document, "csv", path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel on Windows reads UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [document.title]
    assert ["to-1", "6", "4", "6.0", "66.7", "0"] in rows


def test_csv_for_excel_in_vietnamese_uses_semicolons_and_a_decimal_comma(document, tmp_path):
    path = tmp_path / "bao-cao.csv"
    save_report(document, "csv", path, csv_locale="vi")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [document.title]
    assert ["to-1", "6", "4", "6,0", "66,7", "0"] in rows
    assert ["Tỷ lệ thực hiện kế hoạch, theo lượt tại vùng loa (%)", "50,0"] in rows
    # the same cells as the default CSV, only written the Vietnamese way
    plain = list(csv.reader(io.StringIO(render_csv(document))))
    assert len(rows) == len(plain)
