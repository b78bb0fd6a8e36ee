"""Báo cáo: the reviewer picks a period and gets what ``broadcast report`` writes."""

from __future__ import annotations

import html
import io

import openpyxl
import pytest

from broadcast.playlog import PlayLog
from broadcast.web.accounts import Role
from tests.report.conftest import at, item, play
from tests.web.console import browser
from tests.web.test_logs_page import quarter_ward

Q1 = "kind=quarter&year=2023&number=1"


@pytest.fixture
def ward(tmp_path):
    return quarter_ward(tmp_path)


def test_the_quarter_downloads_as_a_workbook_with_its_summary_sheet(ward):
    response = browser(ward, Role.REVIEWER).get(f"/reports/download?{Q1}&format=xlsx")
    assert response.status_code == 200
    assert 'filename="bao-cao-2023-Q1.xlsx"' in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Báo cáo"
    cells = [str(c) for row in book["Báo cáo"].iter_rows(values_only=True) for c in row if c]
    assert any("Quý I năm 2023" in cell for cell in cells)


def test_csv_and_html_download(ward):
    reviewer = browser(ward, Role.REVIEWER)
    csv = reviewer.get(f"/reports/download?{Q1}&format=csv")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert "Nộp hồ sơ trực tuyến" in csv.content.decode("utf-8-sig")
    page = reviewer.get(f"/reports/download?{Q1}&format=html")
    assert page.headers["content-type"].startswith("text/html")
    assert "Quý I năm 2023" in page.text


def test_the_html_report_is_shown_inline_escaped_in_a_sandboxed_frame(ward):
    with PlayLog.open(ward) as log:
        play(log, item("<script>alert(1)</script>", at(4, 3), "to-1", None), 10)
    page = browser(ward, Role.REVIEWER).get(f"/reports?{Q1}&show=1")
    assert page.status_code == 200
    assert "<iframe" in page.text and "sandbox" in page.text
    frame = page.text[page.text.index('srcdoc="') + 8 :]
    frame = frame[: frame.index('"')]
    assert "<" not in frame  # the whole report is an attribute's text
    shown = html.unescape(frame)
    assert "Quý I năm 2023" in shown
    assert "<script>alert(1)</script>" not in shown  # escaped in the report itself too


def test_half_year_year_and_month_are_periods_too(ward):
    reviewer = browser(ward, Role.REVIEWER)
    for query, name in (
        ("kind=half&year=2023&number=1", "6 tháng đầu năm 2023"),
        ("kind=year&year=2023", "năm 2023"),
        ("kind=month&year=2023&number=2", "tháng 2 năm 2023"),
    ):
        page = reviewer.get(f"/reports?{query}")
        assert page.status_code == 200
        assert name.lower() in html.unescape(page.text).lower(), name
    bad = reviewer.get("/reports/download?kind=quarter&year=2023&number=7&format=xlsx")
    assert bad.status_code == 400


def test_other_roles_are_refused(ward):
    for role in (Role.EDITOR, Role.TECHNICIAN, Role.APPROVER):
        assert browser(ward, role).get(f"/reports/download?{Q1}&format=csv").status_code == 403
        assert browser(ward, role).get("/reports").status_code == 403
