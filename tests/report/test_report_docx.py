"""The period report as the Word document the ward signs and files (issue 16): read back with
python-docx, its parts are where Nghị định 30/2020/NĐ-CP puts them, its text says what the log
holds (the quarter of ``conftest``, figures worked out by hand there), and LibreOffice opens it.
"""

import shutil
import subprocess
import sys
from datetime import date, datetime

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from broadcast.clock import FakeClock
from broadcast.config.report import PlanItem, ReportSettings, Signer
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog
from broadcast.playlog.store import WARD_TIMEZONE as WARD
from broadcast.report import Labels, parse_period, period_report, save_report
from broadcast.report.docx_frame import MOTTO, MOTTO_LINE, dated_line
from broadcast.report.narrative import OfficialReport, earlier_periods, report_narrative
from broadcast.report.render_text import format_number_vi
from broadcast.report.rows import period_rows
from tests.report.conftest import at, item, play

WARD_SETTINGS = ReportSettings(
    issuing_body="ỦY BAN NHÂN DÂN PHƯỜNG LONG ANH",
    ward_name="phường Long Anh",
    place="Long Anh",
    prepared_by="Công chức Văn phòng - Thống kê",
    signer=Signer(("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), "Lê Văn Chiến"),
    recipients=("UBND Thành phố (b/c)", "Thường trực: Đảng uỷ, HĐND Phường (b/c)", "Lưu: VT, VP"),
    superior_body="UBND THÀNH PHỐ",
    plan_items=(
        PlanItem("a", "Tầm quan trọng của cải cách hành chính", ("cchc",)),
        PlanItem("c", "Thủ tục hành chính, một cửa, dịch vụ công", ("mot-cua",)),
    ),
)
NAMES = Labels(topics={"dvc": "Dịch vụ công trực tuyến", "mot-cua": "Cơ chế một cửa"})
APRIL = datetime(2023, 4, 5, 9, 30, tzinfo=WARD)


def write(log, period, now, folder, number=None):
    """The docx as ``broadcast report --format docx`` writes it, opened again."""
    rows = period_rows(log, parse_period(period))
    report = period_report(log, parse_period(period), NAMES, clock=FakeClock(now), rows=rows)
    story = report_narrative(log, parse_period(period), NAMES, WARD_SETTINGS, now=now, rows=rows)
    path = folder / f"bao-cao-{period}.docx"
    save_report(report, "docx", path, OfficialReport(WARD_SETTINGS, story, now.date(), number))
    return path, docx.Document(str(path)), report


def lines(cell):
    return [p.text for p in cell.paragraphs if p.text]


def runs(paragraph):
    return [run for run in paragraph.runs if run.text]


def body_text(document):
    """The text of the page's own paragraphs, outside the tables: title, subject, body."""
    return [p.text for p in document.paragraphs if p.text]


def test_header_number_date_title_and_signature_sit_where_the_decree_puts_them(
    quarter_log, tmp_path
):
    _, document, _ = write(quarter_log, "2023-Q1", APRIL, tmp_path, number="12")
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    margins = [round(section.top_margin.mm), round(section.bottom_margin.mm)]
    assert all(20 <= mm <= 25 for mm in margins)  # top and bottom
    assert 30 <= round(section.left_margin.mm) <= 35 and 15 <= round(section.right_margin.mm) <= 20
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and Pt(13) <= normal.size <= Pt(14)

    body = document.element.body
    header, *_, closing = document.tables
    assert body.index(header._tbl) == 0  # the document opens with the header
    assert header.style.name != "Table Grid" and closing.style.name != "Table Grid"  # no borders
    left, right = header.rows[0].cells
    assert lines(left) == ["UBND THÀNH PHỐ", "ỦY BAN NHÂN DÂN\nPHƯỜNG LONG ANH", "Số: 12/BC-UBND"]
    issuing = runs(left.paragraphs[1])
    assert all(run.bold for run in issuing) and Pt(12) <= issuing[0].font.size <= Pt(13)
    assert not runs(left.paragraphs[0])[0].bold  # the superior body is not bold
    assert lines(right) == [MOTTO, MOTTO_LINE, "Long Anh, ngày 05 tháng 4 năm 2023"]
    motto, motto_line, dated = (runs(p) for p in right.paragraphs if p.text)
    assert motto[0].bold and Pt(12) <= motto[0].font.size <= Pt(13)
    assert motto_line[0].bold and Pt(13) <= motto_line[0].font.size <= Pt(14)
    assert dated[0].italic and not dated[0].bold
    # a short line right under the issuing body and under the motto: a paragraph's border
    for cell, above in ((left, "PHƯỜNG LONG ANH"), (right, MOTTO_LINE)):
        at = next(n for n, p in enumerate(cell.paragraphs) if p.text.endswith(above))
        line = cell.paragraphs[at + 1]
        assert not line.text and line._p.pPr.find(docx.oxml.ns.qn("w:pBdr")) is not None

    title, subject = body_text(document)[:2]
    assert title == "BÁO CÁO"
    assert subject == (
        "Kết quả tuyên truyền cải cách hành chính trên hệ thống truyền thanh phường Long Anh, "
        "Quý I năm 2023"
    )
    title_paragraph = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
    assert title_paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert runs(title_paragraph)[0].bold and runs(title_paragraph)[0].font.size == Pt(14)

    assert body.index(closing._tbl) == len(body) - 2  # the last thing before the section
    recipients, signature = closing.rows[0].cells
    heading, *named = [p for p in recipients.paragraphs if p.text]
    assert heading.text == "Nơi nhận:"
    assert runs(heading)[0].bold and runs(heading)[0].italic
    assert runs(heading)[0].font.size == Pt(12)
    assert [p.text for p in named] == [
        "- UBND Thành phố (b/c);",
        "- Thường trực: Đảng uỷ, HĐND Phường (b/c);",
        "- Lưu: VT, VP.",
    ]
    assert all(runs(p)[0].font.size == Pt(11) for p in named)
    signed = [p for p in signature.paragraphs if p.text]
    assert [p.text for p in signed] == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Lê Văn Chiến",
    ]
    assert all(runs(p)[0].bold for p in signed)
    assert len(signature.paragraphs) - len(signed) >= 3  # room to sign and seal


def test_without_a_number_the_clerk_writes_it_in_by_hand(quarter_log, tmp_path):
    _, document, _ = write(quarter_log, "2023-Q1", APRIL, tmp_path)
    left = document.tables[0].rows[0].cells[0]
    number = lines(left)[-1]
    assert number.startswith("Số: ") and number.endswith("/BC-UBND")
    assert number.removeprefix("Số: ").removesuffix("/BC-UBND").strip() == ""


def test_the_date_line_writes_days_below_ten_and_months_one_and_two_with_a_zero():
    assert dated_line("Long Anh", date(2026, 12, 5)) == "Long Anh, ngày 05 tháng 12 năm 2026"
    assert dated_line("Long Anh", date(2026, 2, 5)) == "Long Anh, ngày 05 tháng 02 năm 2026"
    assert dated_line("Long Anh", date(2026, 3, 15)) == "Long Anh, ngày 15 tháng 3 năm 2026"


def test_every_figure_the_text_gives_is_the_logs_and_the_tables(quarter_log, tmp_path):
    _, document, report = write(quarter_log, "2023-Q1", APRIL, tmp_path)
    text = "\n".join(body_text(document))
    # worked out by hand in conftest: 6 broadcasts, 2 whole; 10 zone plays, 5 heard;
    # 120 + 90 + 120 + 30 s of broadcasts = 6.0 minutes; scripts A, B and "Nhạc hiệu" heard
    assert (
        "Theo kế hoạch có 6 lượt phát bản tin, trong đó 2 lượt đã phát trọn vẹn ở mọi vùng "
        "loa; tính theo từng vùng loa, 5/10 lượt tại vùng loa đã phát trọn vẹn ra loa, đạt "
        "tỷ lệ 50,0% kế hoạch; tổng thời lượng đã phát ra loa 6,0 phút, gồm 3 bản tin."
    ) in text
    assert (
        "Theo chủ đề: Dịch vụ công trực tuyến: 2 lượt phát (1 lượt trọn vẹn), 4,0 phút; "
        "Cơ chế một cửa: 3 lượt phát (0 lượt trọn vẹn), 1,5 phút; (chưa phân loại): 1 lượt "
        "phát (1 lượt trọn vẹn), 0,5 phút."
    ) in text
    assert "mục a) Tầm quan trọng của cải cách hành chính: chưa có lượt phát nào" in text
    assert (
        "mục c) Thủ tục hành chính, một cửa, dịch vụ công: 3 lượt phát (0 lượt trọn vẹn), 1,5 phút"
        in text
    )
    assert "to-1: 4/6 lượt (66,7%), 6,0 phút; to-2: 1/4 lượt (25,0%), 3,2 phút." in text
    assert (
        "Có 5 lượt tại vùng loa không phát trọn vẹn ra loa, gồm: bỏ lỡ (chương trình phát "
        "không chạy): 2; bị ngắt (nhường cho bản tin khan-cap-bao): 1; lỗi (không tạo được "
        "giọng đọc): 1; phát dở (lỗi thiết bị âm thanh): 1;"
    ) in text
    assert "1 bản ghi chưa kết thúc" in text  # the open row of 20/03, not counted
    assert "Trong kỳ không có thông báo khẩn cấp, ưu tiên." in text
    # the log began on 31/12/2022: neither period compared with is whole in it
    assert "So với kỳ trước (quý IV năm 2022): chưa có số liệu" in text
    assert "So với cùng kỳ năm trước (quý I năm 2022): chưa có số liệu" in text

    # the tables that follow are the document's, cell for cell, as the other formats write them
    printed = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables[1:-1]]
    expected = (
        [("Chỉ tiêu", "Số liệu"), *report.summary],
        *([t.headings, *t.rows] for t in report.tables if t.rows),
    )
    assert printed == [[[format_number_vi(v) for v in row] for row in t] for t in expected]
    # and those the text gives are there: topic "dvc" 2 broadcasts, 1 whole, 4.0 minutes
    (dvc,) = [row for row in report.table("by_topic").rows if row[0] == "Dịch vụ công trực tuyến"]
    assert dvc[1:4] == (2, 1, 4.0)
    summary = dict(report.summary)
    assert summary["Tỷ lệ thực hiện kế hoạch, theo lượt tại vùng loa (%)"] == 50.0
    assert summary["Tổng thời lượng đã phát ra loa (phút)"] == 6.0
    # every table of the document, in its order, then the chain's anchor sentence
    titles = [p.text for p in document.paragraphs if p.text in {t.title for t in report.tables}]
    assert titles == [t.title for t in report.tables]
    _, head = quarter_log.chain_head()
    assert any(head in p and "broadcast logs --verify --expect" in p for p in body_text(document))


def test_earlier_periods_the_log_holds_are_compared_with_their_figures(tmp_path):
    with PlayLog.open(ProjectPaths(tmp_path)) as log:
        play(log, item("A", at(1, 1, year=2022), "to-1", "dvc"), 120)  # quarter I of 2022
        for day in (3, 4, 5):  # quarter IV of 2022: three heard
            play(log, item("A", at(day, 10, year=2022), "to-1", "dvc"), 120)
        play(log, item("B", at(5, 1), "to-1", "mot-cua"), 90)  # quarter I of 2023: one
        _, document, _ = write(log, "2023-Q1", APRIL, tmp_path)
    text = "\n".join(body_text(document))
    assert (
        "So với kỳ trước (quý IV năm 2022): lượt tại vùng loa đã phát trọn vẹn ra loa 1 (kỳ so "
        "sánh 3, giảm 2); thời lượng 1,5 phút (kỳ so sánh 6,0 phút, giảm 4,5 phút); tỷ lệ thực "
        "hiện kế hoạch 100,0% (kỳ so sánh 100,0%)."
    ) in text
    assert (
        "So với cùng kỳ năm trước (quý I năm 2022): lượt tại vùng loa đã phát trọn vẹn ra loa 1 "
        "(kỳ so sánh 1, không đổi); thời lượng 1,5 phút (kỳ so sánh 2,0 phút, giảm 0,5 phút)"
    ) in text


def test_an_open_quarter_says_so_and_compares_nothing_it_cannot(quarter_log, tmp_path):
    march = datetime(2023, 3, 5, 9, 30, tzinfo=WARD)
    _, document, _ = write(quarter_log, "2023-Q1", march, tmp_path)
    text = "\n".join(body_text(document))
    assert body_text(document)[1].endswith("Quý I năm 2023 (kỳ báo cáo chưa kết thúc)")
    assert (
        "Kỳ báo cáo chưa kết thúc (đến hết ngày 31/03/2023): số liệu tính đến 09:30 ngày "
        "05/03/2023, chỉ gồm các lượt đã đến giờ phát"
    ) in text
    assert "So với" not in text and "chưa so sánh với các kỳ trước" in text


def test_an_empty_quarter_the_log_covers_is_an_honest_short_report(quarter_log, tmp_path):
    october = datetime(2023, 10, 5, 9, 0, tzinfo=WARD)
    _, document, _ = write(quarter_log, "2023-Q3", october, tmp_path)
    text = "\n".join(body_text(document))
    assert "Trong kỳ, nhật ký phát không ghi lượt phát nào theo kế hoạch." in text
    assert "không phát trọn vẹn" not in text.split("II. SỐ LIỆU CHI TIẾT")[0]
    # the quarter before aired one item on 01/04; the same quarter of 2022 is before the log
    assert (
        "So với kỳ trước (quý II năm 2023): lượt tại vùng loa đã phát trọn vẹn ra loa 0 "
        "(kỳ so sánh 1, giảm 1)" in text
    )
    assert "So với cùng kỳ năm trước (quý III năm 2022): chưa có số liệu" in text
    assert "tỷ lệ" not in text.split("II. SỐ LIỆU CHI TIẾT")[0]  # no rate of nothing planned
    assert lines(document.tables[-1].rows[0].cells[1])[-1] == "Lê Văn Chiến"


@pytest.mark.parametrize(
    ("rows", "period", "said"),
    [
        (
            True,
            "2022-Q3",
            "Nhật ký phát của hệ thống bắt đầu ghi từ ngày 31/12/2022, sau khi kỳ báo cáo "
            "kết thúc; hệ thống không có số liệu của kỳ này.",
        ),
        (False, "2022-Q3", "Nhật ký phát chưa có bản ghi nào, chưa có số liệu của kỳ báo cáo."),
        (True, "2027-Q1", "Kỳ báo cáo chưa bắt đầu (từ ngày 01/01/2027), chưa có số liệu."),
    ],
)
def test_a_quarter_the_log_does_not_hold_is_said_so(rows, period, said, quarter_log, tmp_path):
    """Before the log began, an empty log, a quarter not begun: a short signed document."""
    log = quarter_log if rows else PlayLog.open(ProjectPaths(tmp_path / "empty"))
    with log:
        _, document, _ = write(log, period, APRIL, tmp_path)
    text = body_text(document)
    assert said in text
    # the subject under "BÁO CÁO" says a quarter not begun is that, not "not over"
    assert text[1].endswith("(kỳ báo cáo chưa bắt đầu)") == (period == "2027-Q1")
    assert not any(line.startswith(("So với", "Theo kế hoạch có")) for line in text)
    assert lines(document.tables[-1].rows[0].cells[1])[-1] == "Lê Văn Chiến"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="LibreOffice from Debian")
def test_libreoffice_converts_the_report_to_pdf(quarter_log, tmp_path):
    assert shutil.which("soffice"), "LibreOffice is missing: run deploy/system-deps.sh --test"
    path, _, _ = write(quarter_log, "2023-Q1", APRIL, tmp_path, number="12")
    profile = (tmp_path / "lo-profile").as_uri()  # never the user's own LibreOffice profile
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pdf = path.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for line in (
        "BÁO CÁO",
        "Số: 12/BC-UBND",
        "Long Anh, ngày 05 tháng 4 năm 2023",
        "Nơi nhận:",
        "Lê Văn Chiến",
    ):
        assert line in text


@pytest.mark.parametrize(
    ("period", "compared"),
    [
        ("2026-Q1", ["kỳ trước (quý IV năm 2025)", "cùng kỳ năm trước (quý I năm 2025)"]),
        (
            "2026-H1",
            ["kỳ trước (6 tháng cuối năm 2025)", "cùng kỳ năm trước (6 tháng đầu năm 2025)"],
        ),
        ("2026-01", ["kỳ trước (tháng 12 năm 2025)", "cùng kỳ năm trước (tháng 1 năm 2025)"]),
        ("2026", ["năm trước (năm 2025)"]),
    ],
)
def test_each_period_is_compared_with_the_one_before_and_the_same_a_year_before(period, compared):
    assert [name for name, _ in earlier_periods(parse_period(period))] == compared
