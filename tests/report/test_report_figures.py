from datetime import datetime

import pytest

from broadcast.clock import FakeClock
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.report import Labels, parse_period, period_report

NOW = FakeClock(datetime(2023, 4, 5, 9, 30, tzinfo=WARD_TIMEZONE))
NAMES = Labels(topics={"dvc": "Dịch vụ công trực tuyến", "mot-cua": "Cơ chế một cửa"})


@pytest.fixture
def document(quarter_log):
    return period_report(quarter_log, parse_period("2023-Q1"), NAMES, clock=NOW)


def test_title_names_the_quarter_as_the_ward_writes_it(document):
    assert document.title == (
        "Báo cáo kết quả tuyên truyền cải cách hành chính trên hệ thống truyền thanh"
        " — Quý I năm 2023"
    )
    assert document.subtitle == "Từ ngày 01/01/2023 đến ngày 31/03/2023"


def test_summary_matches_the_hand_count(document):
    assert dict(document.summary) == {
        "Số lượt phát theo kế hoạch": 6,
        "Số lượt phát trọn vẹn ở mọi vùng loa": 2,
        "Số lượt tại vùng loa theo kế hoạch": 10,
        "Số lượt tại vùng loa đã phát trọn vẹn ra loa": 5,
        "Tỷ lệ thực hiện kế hoạch, theo lượt tại vùng loa (%)": 50.0,
        "Tổng thời lượng đã phát ra loa (phút)": 6.0,
        "Số bản tin khác nhau đã phát": 3,
        "Số lượt tại vùng loa không trọn vẹn": 5,
        "Số lượt tại vùng loa chỉ ghi ra tệp WAV, không phát ra loa": 0,
        "Số thông báo khẩn cấp, ưu tiên (ngoài kế hoạch)": 0,
    }


def test_by_topic_zone_and_month_match_the_hand_count(document):
    assert document.table("by_topic").rows == (  # broadcasts: aired on every zone
        ("Dịch vụ công trực tuyến", 2, 1, 4.0, 50.0),
        ("Cơ chế một cửa", 3, 0, 1.5, 0.0),
        ("(chưa phân loại)", 1, 1, 0.5, 100.0),
    )
    assert document.table("by_zone").rows == (  # zone plays
        ("to-1", 6, 4, 6.0, 66.7, 0),
        ("to-2", 4, 1, 3.2, 25.0, 0),
    )
    assert document.table("by_month").rows == (
        ("Tháng 1/2023", 2, 1, 3.5, 50.0),
        ("Tháng 2/2023", 2, 0, 2.0, 0.0),
        ("Tháng 3/2023", 2, 1, 0.5, 50.0),
    )


def test_scripts_and_reasons_match_the_hand_count(document):
    assert document.table("scripts").rows == (
        ("A", "Nộp hồ sơ trực tuyến", "Dịch vụ công trực tuyến", 2, 1, 4.0),
        ("Nhạc hiệu", "Nhạc hiệu", "(chưa phân loại)", 1, 1, 0.5),
        ("B", "Bộ phận một cửa", "Cơ chế một cửa", 2, 0, 1.5),
        ("C", "Thủ tục đất đai", "Cơ chế một cửa", 1, 0, 0.0),
    )
    assert set(document.table("not_aired").rows) == {
        ("bỏ lỡ", "chương trình phát không chạy", 2),
        ("phát dở", "lỗi thiết bị âm thanh", 1),
        ("bị ngắt", "nhường cho bản tin khan-cap-bao", 1),
        ("lỗi", "không tạo được giọng đọc", 1),
    }


def test_notes_anchor_the_chain_and_mention_the_open_row(document, quarter_log):
    events, head = quarter_log.chain_head()
    notes = " ".join(document.notes)
    assert f"Nhật ký phát: {events} sự kiện; kiểm tra chuỗi: toàn vẹn." in notes
    assert f"Mã kiểm tra nhật ký (head): {head}" in notes
    assert "toàn vẹn" in notes and "KHÔNG" not in notes
    assert "1 bản ghi chưa kết thúc" in notes


def test_a_month_and_a_year_cover_their_own_days(quarter_log):
    march = period_report(quarter_log, parse_period("2023-03"), NAMES, clock=NOW)
    assert march.title.endswith("— Tháng 3 năm 2023")
    assert dict(march.summary)["Số lượt phát theo kế hoạch"] == 2
    year = period_report(quarter_log, parse_period("2023"), NAMES, clock=NOW)
    assert dict(year.summary)["Số lượt phát theo kế hoạch"] == 7  # 01/04 included
    assert len(year.table("by_month").rows) == 12


def test_topic_names_come_from_the_configuration_else_the_id(quarter_log):
    labels = Labels.from_config(None)  # schedules.yaml missing or broken
    assert labels.topic("dvc") == "dvc"
    document = period_report(quarter_log, parse_period("2023-Q1"), labels, clock=NOW)
    assert [row[0] for row in document.table("by_topic").rows] == [
        "dvc",
        "mot-cua",
        "(chưa phân loại)",
    ]


@pytest.mark.parametrize(
    ("text", "name", "first", "last"),
    [
        ("2023-Q1", "Quý I năm 2023", "2023-01-01", "2023-04-01"),
        ("2023-q4", "Quý IV năm 2023", "2023-10-01", "2024-01-01"),
        ("2023-H1", "6 tháng đầu năm 2023", "2023-01-01", "2023-07-01"),
        ("2023-H2", "6 tháng cuối năm 2023", "2023-07-01", "2024-01-01"),
        ("2023", "Năm 2023", "2023-01-01", "2024-01-01"),
        ("2023-12", "Tháng 12 năm 2023", "2023-12-01", "2024-01-01"),
        # the forms Vietnamese documents use
        ("Q4/2026", "Quý IV năm 2026", "2026-10-01", "2027-01-01"),
        ("quý 4/2026", "Quý IV năm 2026", "2026-10-01", "2027-01-01"),
        ("Quý IV/2026", "Quý IV năm 2026", "2026-10-01", "2027-01-01"),
        ("Quý II năm 2026", "Quý II năm 2026", "2026-04-01", "2026-07-01"),
        ("6 tháng đầu năm 2026", "6 tháng đầu năm 2026", "2026-01-01", "2026-07-01"),
        ("6 Tháng cuối năm 2026", "6 tháng cuối năm 2026", "2026-07-01", "2027-01-01"),
        ("năm 2026", "Năm 2026", "2026-01-01", "2027-01-01"),
        ("tháng 11/2026", "Tháng 11 năm 2026", "2026-11-01", "2026-12-01"),
    ],
)
def test_periods(text, name, first, last):
    period = parse_period(text)
    assert (period.name_vi, period.first_day.isoformat(), period.end_day.isoformat()) == (
        name,
        first,
        last,
    )


@pytest.mark.parametrize(
    "text", ["2023-Q5", "2023-H3", "2023-13", "Q1-2023", "23", "quý V/2026", "tháng 13/2026"]
)
def test_bad_periods_are_explained_with_every_form(text):
    with pytest.raises(ValueError, match="Q4/2026, quý 4/2026 hoặc Quý IV/2026") as caught:
        parse_period(text)
    assert "6 tháng đầu năm 2026" in str(caught.value) and "tháng 11/2026" in str(caught.value)


def test_a_report_from_a_tampered_log_says_so(quarter_home, quarter_log):
    import sqlite3

    from broadcast.playlog import database_path

    conn = sqlite3.connect(database_path(quarter_home))
    conn.execute("UPDATE attempts SET outcome = 'played' WHERE id = 9")
    conn.commit()
    conn.close()
    document = period_report(quarter_log, parse_period("2023-Q1"), NAMES, clock=NOW)
    assert "KHÔNG toàn vẹn — bản ghi #9 đã bị sửa" in " ".join(document.notes)
    unchecked = period_report(
        quarter_log, parse_period("2023-Q1"), NAMES, clock=NOW, check_chain=False
    )
    assert "chưa kiểm tra" in " ".join(unchecked.notes)
