"""Nhật ký: the reviewer filters the real play log, downloads it as CSV and sees the verdict
of the hash chain, a tampered row named."""

from __future__ import annotations

import csv
import io
import sqlite3
from contextlib import closing

import pytest

from broadcast.playlog import PlayLog, database_path
from broadcast.web.accounts import Role
from broadcast.web.pages import logs
from tests.report.conftest import at, item, play, write_quarter
from tests.web.console import browser, make_console_ward

QUARTER = "since=2023-01-01&until=2023-03-31"


def quarter_ward(root):
    """The console's ward whose play log holds the report tests' first quarter of 2023."""
    paths = make_console_ward(root)
    with PlayLog.open(paths) as log:
        write_quarter(log)
    return paths


@pytest.fixture
def ward(tmp_path):
    return quarter_ward(tmp_path)


def test_filters_by_date_zone_topic_and_outcome(ward):
    reviewer = browser(ward, Role.REVIEWER)
    page = reviewer.get(f"/logs?{QUARTER}")
    assert page.status_code == 200
    assert "Nộp hồ sơ trực tuyến" in page.text and "Thủ tục đất đai" in page.text
    assert "31/12/2022" not in page.text and "01/04/2023" not in page.text  # outside the dates
    missed = reviewer.get(f"/logs?{QUARTER}&outcome=missed").text
    assert "Thủ tục đất đai" in missed and "Nộp hồ sơ trực tuyến" not in missed
    topic = reviewer.get(f"/logs?{QUARTER}&topic=mot-cua").text
    assert "Bộ phận một cửa" in topic and "Nộp hồ sơ trực tuyến" not in topic
    zone = reviewer.get(f"/logs?{QUARTER}&zone=to-2&outcome=partial").text
    assert "1 lượt phát khớp điều kiện" in zone and "Bộ phận một cửa" in zone


def test_long_logs_come_a_page_at_a_time(ward, monkeypatch):
    monkeypatch.setattr(logs, "PER_PAGE", 4)
    reviewer = browser(ward, Role.REVIEWER)
    first = reviewer.get(f"/logs?{QUARTER}").text
    assert "trang 1/3" in first and "Trang sau" in first
    last = reviewer.get(f"/logs?{QUARTER}&page=3").text
    assert "trang 3/3" in last and "Trang sau" not in last


def test_the_csv_holds_the_same_rows_with_a_bom(ward):
    response = browser(ward, Role.REVIEWER).get(f"/logs.csv?{QUARTER}&topic=dvc")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["#", "Thời gian", "Khung giờ"]
    assert len(rows) == 1 + 6  # header, then the quarter's dvc rows
    assert all(row[4] == "Nộp hồ sơ trực tuyến" for row in rows[1:])


def test_the_verdict_names_a_tampered_row(ward):
    reviewer = browser(ward, Role.REVIEWER)
    assert "Nhật ký toàn vẹn" in reviewer.get(f"/logs?{QUARTER}&verify=1").text
    with closing(sqlite3.connect(database_path(ward))) as conn:
        conn.execute("UPDATE attempts SET aired_seconds = 999 WHERE id = 2")
        conn.commit()
    page = reviewer.get(f"/logs?{QUARTER}&verify=1")
    assert "Nhật ký KHÔNG toàn vẹn" in page.text


def test_other_roles_and_strangers_are_kept_out(ward):
    for role in (Role.EDITOR, Role.TECHNICIAN):
        for url in ("/logs", "/logs.csv"):
            response = browser(ward, role).get(url)
            assert response.status_code == 403
            assert "không có quyền" in response.text
    response = browser(ward, None).get("/logs.csv")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_title_with_markup_is_shown_as_text(ward):
    with PlayLog.open(ward) as log:
        play(log, item("<script>alert(1)</script>", at(4, 3), "to-1", None), 10)
    page = browser(ward, Role.REVIEWER).get(f"/logs?{QUARTER}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
