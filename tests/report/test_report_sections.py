"""The sections issue 16 adds to every format: by quarter, by the plan's items, campaign
targets against what aired, the anchor sentence, real titles, an open period's title.

Figures are held against the quarter of ``conftest`` (worked out by hand there) or against
the rows the test itself wrote.
"""

import csv
import io
import textwrap
from datetime import date, datetime, timedelta

from openpyxl import load_workbook

from broadcast.clock import FakeClock
from broadcast.config.report import PlanItem, ReportSettings, Signer
from broadcast.playlog.store import WARD_TIMEZONE as WARD
from broadcast.report import Labels, parse_period, period_report, save_report
from broadcast.report.render_html import render_html
from broadcast.report.render_text import render_csv, render_markdown
from tests.report.test_report_truth import air_whole_day, ward_report
from tests.report.ward import planned_scripts

APRIL = FakeClock(datetime(2023, 4, 5, 9, 30, tzinfo=WARD))
TOPICS = {"dvc": "Dịch vụ công trực tuyến", "mot-cua": "Cơ chế một cửa"}
LONG_ANH = ReportSettings(
    issuing_body="ỦY BAN NHÂN DÂN PHƯỜNG LONG ANH",
    ward_name="phường Long Anh",
    place="Long Anh",
    prepared_by="Công chức Văn phòng - Thống kê",
    signer=Signer(("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), "Lê Văn Chiến"),
    recipients=("UBND Thành phố (b/c)", "Lưu: VP"),
    plan_items=(
        PlanItem("a", "Tầm quan trọng của cải cách hành chính", ("dvc",)),
        PlanItem("c", "Thủ tục hành chính, một cửa", ("mot-cua",)),
    ),
)


def test_a_year_report_breaks_down_by_quarter_before_by_month(quarter_log, tmp_path):
    document = period_report(quarter_log, parse_period("năm 2023"), Labels(TOPICS), clock=APRIL)
    keys = [table.key for table in document.tables]
    assert keys.index("by_quarter") == keys.index("by_month") - 1
    # Q1: six broadcasts, two whole (05/01 and the theme on 01/03), 360 s; Q2: 01/04, 120 s
    assert document.table("by_quarter").rows == (
        ("Quý I/2023", 6, 2, 6.0, 33.3),
        ("Quý II/2023", 1, 1, 2.0, 100.0),
        ("Quý III/2023", 0, 0, 0.0, None),
        ("Quý IV/2023", 0, 0, 0.0, None),
    )
    months = document.table("by_month").rows
    assert sum(row[1] for row in months[:3]) == 6 and sum(row[2] for row in months[:3]) == 2
    path = tmp_path / "nam.xlsx"
    save_report(document, "xlsx", path)
    sheet = load_workbook(path)["Theo quý"]
    assert [c.value for c in sheet[5]] == ["Quý I/2023", 6, 2, 6.0, 0.333]
    assert "## 3. Theo quý" in render_markdown(document)


def test_a_quarter_report_has_no_quarter_table(quarter_log):
    document = period_report(quarter_log, parse_period("Q1/2023"), Labels(TOPICS), clock=APRIL)
    assert "by_quarter" not in [table.key for table in document.tables]


def test_topics_speak_the_plan_items_and_the_title_names_the_ward(quarter_log, tmp_path):
    labels = Labels(TOPICS, report=LONG_ANH)
    document = period_report(quarter_log, parse_period("2023-Q1"), labels, clock=APRIL)
    assert document.title == (
        "Báo cáo kết quả tuyên truyền cải cách hành chính trên hệ thống truyền thanh "
        "phường Long Anh — Quý I năm 2023"
    )
    assert document.identity == LONG_ANH
    assert document.table("by_topic").headings[:2] == ("Chủ đề", "Mục trong Kế hoạch")
    assert document.table("by_topic").rows == (
        ("Dịch vụ công trực tuyến", "a)", 2, 1, 4.0, 50.0),
        ("Cơ chế một cửa", "c)", 3, 0, 1.5, 0.0),
        ("(chưa phân loại)", "–", 1, 1, 0.5, 100.0),
    )
    assert document.table("by_plan_item").rows == (
        ("a)", "Tầm quan trọng của cải cách hành chính", 2, 1, 4.0, 50.0),
        ("c)", "Thủ tục hành chính, một cửa", 3, 0, 1.5, 0.0),
        ("–", "Ngoài các mục của Kế hoạch", 1, 1, 0.5, 100.0),
    )
    assert document.chart.bars == (
        ("Dịch vụ công trực tuyến", 4.0),
        ("Cơ chế một cửa", 1.5),
        ("(chưa phân loại)", 0.5),
    )
    # the definitions point at the announcements' section, wherever it now falls
    assert document.tables[-1].title.startswith("8. Thông báo khẩn cấp")
    assert "liệt kê riêng ở mục 8." in document.notes[0]
    path = tmp_path / "q1.csv"
    save_report(document, "csv", path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert ["c)", "Thủ tục hành chính, một cửa", "3", "0", "1.5", "0.0"] in rows
    assert "<td>Cơ chế một cửa</td><td>c)</td>" in render_html(document)


def test_an_open_period_says_so_in_its_title(quarter_log):
    march = FakeClock(datetime(2023, 3, 10, 8, 0, tzinfo=WARD))
    document = period_report(quarter_log, parse_period("2023-Q1"), Labels(TOPICS), clock=march)
    assert document.is_open
    assert document.title.endswith(
        "— Quý I năm 2023 (kỳ báo cáo chưa kết thúc, số liệu đến ngày 10/03/2023)"
    )
    closed = period_report(quarter_log, parse_period("2023-Q1"), Labels(TOPICS), clock=APRIL)
    assert not closed.is_open and closed.title.endswith("— Quý I năm 2023")


def test_the_anchor_is_one_sentence_a_printed_copy_checks_against(quarter_log):
    events, head = quarter_log.chain_head()
    document = period_report(quarter_log, parse_period("2023-Q1"), Labels(TOPICS), clock=APRIL)
    assert document.anchor == (
        f"Nhật ký phát: {events} sự kiện; kiểm tra chuỗi: toàn vẹn. Mã kiểm tra nhật ký "
        f"(head): {head} (lúc 09:30 ngày 05/04/2023) — giữ cùng báo cáo này; lệnh "
        f"`broadcast logs --verify --expect {head}` cho biết nhật ký còn giữ nguyên mọi bản "
        "ghi đến lúc lập báo cáo hay không."
    )
    assert document.notes[-1] == document.anchor


CAMPAIGN = """\
---
title: Chiến dịch dịch vụ công tháng 11
topic: dvc
times_per_week: 3
valid_from: 06/11/2023
valid_until: 19/11/2023
---

Kính thưa bà con. Phường vận động bà con nộp hồ sơ trực tuyến trong tháng này.
"""


def test_campaign_targets_stand_against_what_aired(project):
    folder = project.scripts_dir / "2023-03"
    (folder / "chien-dich.md").write_text(textwrap.dedent(CAMPAIGN), encoding="utf-8")
    days = [date(2023, 11, 6) + timedelta(days=n) for n in range(13) if n % 7 != 6]
    aired = 0
    for day in days:  # Monday 06/11 to Saturday 18/11, every planned item heard
        _, segments = planned_scripts(project, day)
        aired += sum(segment.script_id == "2023-03/chien-dich" for segment in segments)
        air_whole_day(project, day)
    document = ward_report(project, "tháng 11/2023", datetime(2023, 12, 2, 9, 0, tzinfo=WARD))
    # counted from 06/11 (the log's first day) to 30/11: two whole weeks of validity, 3 a week
    assert document.table("campaigns").rows == (
        (
            "Chiến dịch dịch vụ công tháng 11",
            "Dịch vụ công trực tuyến",
            3,
            "06/11/2023 – 19/11/2023",
            14,
            6,
            aired,
            round(aired / 6 * 100, 1),
        ),
    )
    assert aired >= 6  # the planner reached its target


def test_a_campaign_in_an_open_period_claims_no_target_for_days_to_come(project):
    folder = project.scripts_dir / "2023-03"
    (folder / "chien-dich.md").write_text(textwrap.dedent(CAMPAIGN), encoding="utf-8")
    air_whole_day(project, date(2023, 11, 6))
    document = ward_report(project, "2023-11", datetime(2023, 11, 8, 9, 0, tzinfo=WARD))
    (row,) = document.table("campaigns").rows
    # 06/11 and 07/11 have ended: 3 a week over 2 valid days of 7 wants 1
    assert row[4:6] == (2, 1)


def test_every_bulletin_shows_its_title_never_its_file_id(project):
    """The rows carry the script id as their title (``ward.record``): each table shows the
    title of the script in the folder."""
    air_whole_day(project, date(2023, 11, 6))
    document = ward_report(project, "2023-11", datetime(2023, 12, 2, 9, 0, tzinfo=WARD))
    titles = {row[1] for row in document.table("scripts").rows}
    assert titles and all(not title.startswith("2023-03/") for title in titles)
    listed = {row[3] for row in document.table("unheard").rows}
    assert listed and all(not title.startswith("2023-03/") for title in listed)


def test_a_period_the_log_does_not_hold_says_so_in_every_format(quarter_log, tmp_path):
    """Before the log began (it began on 31/12/2022), partly before, and not yet begun: each
    format says what the log holds instead of printing zeros as if nothing had aired."""
    labels = Labels(TOPICS)
    before = period_report(quarter_log, parse_period("2022-Q3"), labels, clock=APRIL)
    partly = period_report(quarter_log, parse_period("2022-Q4"), labels, clock=APRIL)
    future = period_report(quarter_log, parse_period("năm 2024"), labels, clock=APRIL)
    assert (
        "Nhật ký phát của hệ thống bắt đầu ghi từ ngày 31/12/2022, sau khi kỳ báo cáo kết "
        "thúc; hệ thống không có số liệu của kỳ này." in before.notes
    )
    assert "Nhật ký phát bắt đầu ghi từ ngày 31/12/2022; số liệu của kỳ tính từ ngày đó." in (
        partly.notes
    )
    # a year not begun claims no figures "up to" today: it has none
    assert future.title.endswith("— Năm 2024 (kỳ báo cáo chưa bắt đầu)")
    assert "Lưu ý: kỳ báo cáo chưa bắt đầu, chưa có số liệu." in future.notes
    for document, said in ((before, before.notes[2]), (future, future.title)):
        assert said in render_markdown(document) and said in render_html(document)
        rows = list(csv.reader(io.StringIO(render_csv(document, "vi")), delimiter=";"))
        assert [said] in rows
        save_report(document, "xlsx", tmp_path / "bao-cao.xlsx")
        sheet = load_workbook(tmp_path / "bao-cao.xlsx")["Báo cáo"]
        assert said in [row[0] for row in sheet.iter_rows(values_only=True)]
    closed = period_report(quarter_log, parse_period("2023-Q1"), labels, clock=APRIL)
    assert not [note for note in closed.notes if note.startswith("Nhật ký phát bắt đầu")]
