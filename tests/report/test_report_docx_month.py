"""The Word report of the simulated month (``tests/reliability/test_month_simulation.py``),
filed as the quarter it falls in (issue 16): read back with python-docx, its frame sits where
Nghị định 30/2020 puts it, every paragraph of its text is the one the log's rows give when
counted apart from the report (SQL on the log's SQLite file, the WAV files the sink wrote and
what the simulated world did), its tables are the xlsx's cell for cell, and LibreOffice
converts it to PDF.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections import Counter
from contextlib import closing
from datetime import datetime
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from broadcast.clock import FakeClock
from broadcast.config.report import PlanItem, ReportSettings, Signer
from broadcast.playlog import PlayLog
from broadcast.playlog.store import DATABASE_NAME
from broadcast.report import Labels, parse_period, period_report, save_report
from broadcast.report.docx_frame import MOTTO, MOTTO_LINE
from broadcast.report.narrative import OfficialReport, report_narrative
from broadcast.report.render_text import format_number_vi
from broadcast.report.rows import period_rows
from broadcast.report.write_xlsx import PERCENT_FORMAT, SHEET_TITLE
from tests.reliability.month_world import ZONES
from tests.reliability.simulation import WARD
from tests.reliability.sink_output import complete
from tests.reliability.test_month_simulation import EXPECTED_RESULT, _planned, expected
from tests.reliability.test_month_simulation import month as month  # the simulated month
from tests.report.test_report_docx import body_text, lines

pytestmark = pytest.mark.slow  # the month is simulated first (some 12 s)

QUARTER = "2026-Q2"  # April, the simulated month, and two months the daemon did not run
FILED = datetime(2026, 7, 1, 8, 0, tzinfo=WARD)  # the quarter has ended
SETTINGS = ReportSettings(
    issuing_body="ỦY BAN NHÂN DÂN PHƯỜNG LONG ANH",
    ward_name="phường Long Anh",
    place="Long Anh",
    prepared_by="Công chức Văn phòng - Thống kê",
    signer=Signer(("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), "Lê Văn Chiến"),
    recipients=("UBND Thành phố (b/c)", "Lưu: VT, VP"),
    superior_body="UBND THÀNH PHỐ",
    plan_items=(
        PlanItem("a", "Tầm quan trọng của cải cách hành chính", ("cchc",)),
        PlanItem("c", "Thủ tục hành chính, dịch vụ công", ("dvc", "thong-bao")),
    ),
)


def _n(value: int | float) -> str:
    return format_number_vi(value)


def _sql(month, query: str) -> list[tuple]:
    database = month.run.paths.data_dir / DATABASE_NAME  # the file itself, not PlayLog
    with closing(sqlite3.connect(database)) as db:
        return db.execute(query).fetchall()


# one planned broadcast: a slot's time and a script, on all its zones; announcements apart
_BROADCASTS = """
    SELECT DISTINCT slot_id, COALESCE(script_id, title), scheduled_at, {column}
    FROM attempts WHERE bulletin_id IS NULL AND outcome IS NOT NULL"""


@pytest.fixture(scope="module")
def filed(month, tmp_path_factory):
    """The quarter's docx and xlsx as ``broadcast report`` writes them on 01/07/2026."""
    folder = tmp_path_factory.mktemp("quarter")
    labels = Labels.from_config(month.run.inputs.config)
    period = parse_period(QUARTER)
    with PlayLog.open_for_reading(month.run.paths, timezone=WARD) as log:
        rows = period_rows(log, period)
        report = period_report(log, period, labels, clock=FakeClock(FILED), rows=rows)
        story = report_narrative(log, period, labels, SETTINGS, now=FILED, rows=rows)
    path = folder / "bao-cao.docx"
    save_report(report, "docx", path, OfficialReport(SETTINGS, story, FILED.date(), "07"))
    save_report(report, "xlsx", folder / "bao-cao.xlsx")
    return path, docx.Document(str(path)), folder / "bao-cao.xlsx", labels


def test_its_frame_is_where_the_decree_puts_it(filed):
    _, document, _, _ = filed
    left, right = document.tables[0].rows[0].cells
    assert lines(left) == ["UBND THÀNH PHỐ", "ỦY BAN NHÂN DÂN\nPHƯỜNG LONG ANH", "Số: 07/BC-UBND"]
    assert lines(right) == [MOTTO, MOTTO_LINE, "Long Anh, ngày 01 tháng 7 năm 2026"]
    assert body_text(document)[:2] == [
        "BÁO CÁO",
        "Kết quả tuyên truyền cải cách hành chính trên hệ thống truyền thanh phường Long Anh, "
        "Quý II năm 2026",
    ]
    body = document.element.body
    last = document.tables[-1]
    assert body.index(document.tables[0]._tbl) == 0
    assert body.index(last._tbl) == len(body) - 2  # the last thing before the section
    recipients, signature = last.rows[0].cells
    assert lines(recipients) == ["Nơi nhận:", "- UBND Thành phố (b/c);", "- Lưu: VT, VP."]
    assert lines(signature) == [*SETTINGS.signer.authority, SETTINGS.signer.name]


def test_every_paragraph_of_its_text_is_what_the_log_holds(month, filed):
    _, document, _, labels = filed
    text = body_text(document)
    results = text.index("I. KẾT QUẢ THỰC HIỆN")
    said = text[results + 1 : text.index("II. SỐ LIỆU CHI TIẾT")]

    broadcasts = Counter(topic for *_, topic in _sql(month, _BROADCASTS.format(column="topic")))
    zone_plays = Counter(zone for *_, zone in _sql(month, _BROADCASTS.format(column="zone")))
    # the world's count: what each planned zone play came to, and the whole WAV files
    planned = _planned(month.lines)
    assert sum(zone_plays.values()) == len(planned)
    came_to = Counter(EXPECTED_RESULT[expected(line, month.run.world)] for line in planned)
    whole = complete([f for f in month.files if not f.is_bulletin], month.lengths)
    to_file = Counter(f.zone for f in whole)
    assert came_to[EXPECTED_RESULT["to_file"]] == len(whole)

    def tally(count: int) -> str:  # nothing was heard: everything went to WAV files
        return f"{_n(count)} lượt phát (0 lượt trọn vẹn), 0,0 phút"

    def named(topic: str | None) -> str:
        return labels.topic(topic)

    topics = sorted(broadcasts, key=named)  # equal minutes (none): by name
    planned_items = {
        "a": sum(broadcasts[t] for t in ("cchc",)),
        "c": sum(broadcasts[t] for t in ("dvc", "thong-bao")),
    }
    causes = sorted(came_to.items(), key=lambda item: (-item[1], str(item[0])))
    (sent,) = _sql(month, "SELECT requested_at, title, zones FROM bulletins")
    at = datetime.fromisoformat(sent[0])
    began = f"{min(line.at for line in planned):%d/%m/%Y}"
    assert began == "01/04/2026"
    assert said == [
        f"Theo kế hoạch có {_n(sum(broadcasts.values()))} lượt phát bản tin, trong đó 0 lượt đã "
        f"phát trọn vẹn ở mọi vùng loa; tính theo từng vùng loa, 0/{_n(len(planned))} lượt tại "
        "vùng loa đã phát trọn vẹn ra loa, đạt tỷ lệ 0,0% kế hoạch; tổng thời lượng đã phát ra "
        "loa 0,0 phút, gồm 0 bản tin.",
        "Theo chủ đề: " + "; ".join(f"{named(t)}: {tally(broadcasts[t])}" for t in topics) + ".",
        "Theo các nội dung tuyên truyền của Kế hoạch: "
        f"mục a) Tầm quan trọng của cải cách hành chính: {tally(planned_items['a'])}; "
        f"mục c) Thủ tục hành chính, dịch vụ công: {tally(planned_items['c'])}; "
        f"ngoài các mục của Kế hoạch ((chưa phân loại)): {tally(broadcasts[None])}.",
        "Theo vùng loa (lượt đã phát trọn vẹn ra loa/theo kế hoạch): "
        + "; ".join(
            f"{labels.zone(zone)}: 0/{_n(zone_plays[zone])} lượt (0,0%), 0,0 phút, "
            f"{_n(to_file[zone])} lượt chỉ ghi ra tệp WAV"
            for zone in ZONES
        )
        + ".",
        "So với kỳ trước (quý I năm 2026): chưa có số liệu (nhật ký phát bắt đầu ghi từ ngày "
        f"{began}).",
        "So với cùng kỳ năm trước (quý II năm 2025): chưa có số liệu (nhật ký phát bắt đầu ghi "
        f"từ ngày {began}).",
        f"Có {_n(len(planned))} lượt tại vùng loa không phát trọn vẹn ra loa, gồm: "
        + "; ".join(
            f"{result}{f' ({reason})' if reason else ''}: {_n(n)}" for (result, reason), n in causes
        )
        + "; từng lượt được liệt kê trong phần số liệu chi tiết.",
        "Đã phát 1 thông báo khẩn cấp, ưu tiên ngoài kế hoạch: "
        f"{at:%H:%M} ngày {at:%d/%m/%Y} (khẩn cấp) “{sent[1]}”, phát ra loa ở 0/"
        f"{sent[2].count(',') + 1} vùng loa.",
    ]
    assert len(zone_plays) == len(ZONES) and None in broadcasts


def _shown(cell) -> str:
    """A workbook's cell as the docx writes it: Excel's format tells a percentage (held as
    a fraction) and a one-decimal figure (which the file may hold as a whole number)."""
    value = cell.value
    if cell.number_format == PERCENT_FORMAT:
        return format_number_vi(round(float(value) * 100, 1))
    if cell.number_format == "0.0":
        return format_number_vi(float(value))
    return format_number_vi(value)


def test_its_tables_are_the_xlsx_cell_for_cell_and_count_the_log(month, filed):
    _, document, workbook, labels = filed
    book = load_workbook(workbook)
    printed = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables[1:-1]]
    sheets = [book[SHEET_TITLE], *(book[name] for name in book.sheetnames[1:])]
    from_xlsx = []
    for sheet in sheets:
        headings, *rows = sheet.iter_rows(min_row=4)
        if sheet.title == SHEET_TITLE:  # the summary, then a blank row and the notes
            rows = rows[: [row[0].value for row in rows].index(None)]
        elif rows[0][0].value == "Không có.":
            continue  # an empty section: "Không có." under its title, no table
        from_xlsx.append(
            [[cell.value for cell in headings], *([_shown(c) for c in row] for row in rows)]
        )
    assert printed == from_xlsx
    # and the tables count what the files and the world say: by zone, planned and to file
    by_zone = next(t for t in printed if t[0][0] == "Vùng loa")
    planned = _planned(month.lines)
    whole = complete([f for f in month.files if not f.is_bulletin], month.lengths)
    for zone in ZONES:
        row = next(r for r in by_zone if r[0] == labels.zone_and_id(zone))
        mine = sum(line.zone == zone for line in planned)
        assert (row[1], row[2], row[-1]) == (_n(mine), "0", _n(sum(f.zone == zone for f in whole)))
    listed = next(t for t in printed if t[0][:4] == ["Ngày", "Giờ", "Vùng loa", "Bản tin"])
    assert len(listed) - 1 == len(planned)  # every zone play not heard, each on its row


def test_libreoffice_converts_it_to_pdf(filed, tmp_path):
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is missing: run deploy/system-deps.sh --test")
    path: Path = filed[0]
    profile = (tmp_path / "lo-profile").as_uri()  # never the user's own LibreOffice profile
    command = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    done = subprocess.run(
        [*command, "--outdir", str(tmp_path), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "bao-cao.pdf").read_bytes().startswith(b"%PDF")
