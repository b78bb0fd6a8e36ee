"""Bài phát: the table ``broadcast check`` prints, in the browser."""

from __future__ import annotations

import html
import os
import time

import pytest

from broadcast.scripts import memo
from broadcast.web.accounts import Role
from tests.approval.ward import BAD_ID, MD_ID, REC_ID, TXT_ID
from tests.web.console import browser, make_console_ward


@pytest.fixture
def ward(tmp_path):
    return make_console_ward(tmp_path)


def test_the_table_lists_the_wards_scripts_with_their_approval_state(ward):
    page = browser(ward, Role.EDITOR).get("/scripts")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for script_id in (MD_ID, TXT_ID, REC_ID, BAD_ID):
        assert script_id in text
    assert "Đăng ký hộ kinh doanh" in text
    assert "chờ duyệt" in text  # approval: required, nothing approved yet
    assert "đến 31/12/2026" in text  # the validity as ``check`` writes it
    assert '<script src="/static/table.js"' in page.text


def test_the_rejected_file_shows_its_problem_with_its_line(ward):
    text = html.unescape(browser(ward, Role.REVIEWER).get("/scripts").text)
    assert "(tệp bị loại)" in text
    assert "scripts_vi/2026-12/hong.md:2" in text


def test_every_role_sees_the_table_a_stranger_is_sent_to_log_in(ward):
    for role in Role:
        assert browser(ward, role).get("/scripts").status_code == 200
    response = browser(ward, None).get("/scripts")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_a_title_with_markup_is_shown_as_text(ward):
    (ward.scripts_dir / "2026-12" / "xss.md").write_text(
        "---\ntitle: <script>alert(1)</script>\n---\n\nNội dung.\n", encoding="utf-8"
    )
    page = browser(ward, Role.EDITOR).get("/scripts")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_the_upload_link_is_shown_to_those_who_may_upload(ward):
    assert "/scripts/upload" in browser(ward, Role.EDITOR).get("/scripts").text
    assert "/scripts/upload" not in browser(ward, Role.TECHNICIAN).get("/scripts").text


def test_the_sorting_script_is_served(ward):
    assert "sortable" in browser(ward, None).client.get("/static/table.js").text


def test_the_table_filters_by_query_without_javascript(ward):
    page = browser(ward, Role.EDITOR).get("/scripts", params={"q": "kinh doanh"})
    text = html.unescape(page.text)
    assert MD_ID in text
    assert TXT_ID not in text and REC_ID not in text
    assert 'value="kinh doanh"' in text


def test_an_edit_is_shown_on_the_next_page_once_the_files_are_known_by_their_stat(
    ward, monkeypatch
):
    """Files hashed long after their last change are known by ``stat`` from then on
    (``broadcast.scripts.memo``); an edit, even of the same size at the same modification
    time, and a sidecar put beside a script still show on the next page."""
    later = time.time_ns() + int((memo.RACY_SECONDS + 1) * 1e9)
    monkeypatch.setattr(memo.time, "time_ns", lambda: later)
    console = browser(ward, Role.EDITOR)
    for _ in range(2):
        assert "Đăng ký hộ kinh doanh" in html.unescape(console.get("/scripts").text)
    file = ward.scripts_dir / "2026-12" / "ho-kinh-doanh.md"
    stamp = file.stat()
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("Đăng ký hộ kinh doanh", "Đăng ký hộ kinh doanX"), "utf-8")
    os.utime(file, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert file.stat().st_size == stamp.st_size
    page = html.unescape(console.get("/scripts").text)
    assert "Đăng ký hộ kinh doanX" in page and "Đăng ký hộ kinh doanh<" not in page
    (file.parent / "mot-cua.yaml").write_text("title: Một cửa <b>mới</b>\n", encoding="utf-8")
    page = console.get("/scripts").text
    assert "Một cửa &lt;b&gt;mới&lt;/b&gt;" in page
