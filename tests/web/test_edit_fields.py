"""Sửa thông tin bài: an editor changes a script's fields in the browser; the file keeps its
body byte for byte, its encoding and line endings; a bad value is refused with its line and
nothing is saved; a file changed meanwhile is not overwritten; the edit is logged."""

from __future__ import annotations

import codecs
import html
import logging
import re
import unicodedata

import docx
import pytest

from broadcast.scripts.decoding import decode_bytes
from broadcast.scripts.frontmatter_write import _cp1258
from broadcast.web.accounts import Role
from tests.approval.ward import MARKDOWN, MD_ID, REC_ID, SIDECAR, TEXT, TXT_ID
from tests.web.console import ACCOUNTS, browser, make_console_ward

BODY = "\nKính thưa bà con. Đăng ký hộ kinh doanh nay làm được trực tuyến.\n"
_FINGERPRINT = re.compile(r'name="fingerprint" value="([0-9a-f]+)"')


@pytest.fixture
def ward(tmp_path):
    return make_console_ward(tmp_path)


def _file(ward, name: str):
    return ward.scripts_dir / "2026-12" / name


def _save(page, script_id: str, **changes: str):
    """Open the form, change ``changes``, send it back as the browser would."""
    form = page.get(f"/edit/{script_id}")
    assert form.status_code == 200, form.text
    values = _values(form.text)
    values.update(changes)
    return page.post(f"/edit/{script_id}", values)


def _values(text: str) -> dict[str, str]:
    values = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input name="(\w+)" value="([^"]*)"', text)
    }
    values["fingerprint"] = _FINGERPRINT.search(text)[1]
    values["priority"] = html.unescape(re.search(r'<option value="([^"]+)" selected', text)[1])
    return values


def test_only_editors_and_approvers_may_edit_and_a_post_needs_its_csrf_token(ward):
    before = _file(ward, "ho-kinh-doanh.md").read_bytes()
    assert browser(ward, None).get(f"/edit/{MD_ID}").headers["location"].startswith("/login")
    for role in (Role.REVIEWER, Role.TECHNICIAN):
        page = browser(ward, role)
        shown = page.get(f"/edit/{MD_ID}")
        assert shown.status_code == 403
        assert "không có quyền" in shown.text
        assert page.post(f"/edit/{MD_ID}", {"topic": "y-te"}).status_code == 403
        assert "Sửa thông tin bài" not in page.get(f"/scripts/{MD_ID}").text
    editor = browser(ward, Role.EDITOR)
    assert 'href="/edit/2026-12/ho-kinh-doanh"' in editor.get(f"/scripts/{MD_ID}").text
    form = editor.get(f"/edit/{MD_ID}")
    assert form.status_code == 200
    assert _values(form.text)["topic"] == "ho-kinh-doanh"
    assert _values(form.text)["valid_until"] == "31/12/2026"
    fingerprint = _values(form.text)["fingerprint"]
    forged = editor.client.post(
        f"/edit/{MD_ID}", data={"topic": "y-te", "fingerprint": fingerprint}
    )
    assert forged.status_code == 403
    assert "CSRF" in forged.text
    assert _file(ward, "ho-kinh-doanh.md").read_bytes() == before
    assert browser(ward, Role.APPROVER).get(f"/edit/{MD_ID}").status_code == 200
    assert browser(ward, Role.EDITOR).get("/edit/2026-12/khong-co").status_code == 404


def test_a_bad_date_is_refused_with_its_line_and_nothing_is_saved(ward):
    before = _file(ward, "ho-kinh-doanh.md").read_bytes()
    response = _save(browser(ward, Role.EDITOR), MD_ID, valid_until="31/02/2027")
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "CHƯA lưu gì" in text
    # the line the date is written on in the file that would have been saved
    assert 'scripts_vi/2026-12/ho-kinh-doanh.md:4: ngày valid_until "31/02/2027" không tồn tại' in (
        text
    )
    assert 'value="31/02/2027"' in text  # what was typed stays in the form
    assert _file(ward, "ho-kinh-doanh.md").read_bytes() == before


def test_the_front_matter_is_rewritten_in_order_and_the_body_kept_byte_for_byte(ward):
    response = _save(browser(ward, Role.EDITOR), MD_ID, topic="y-te", zones="tdp-1", author="")
    assert response.status_code == 200, response.text
    assert "Đã lưu (chủ đề, khu vực, người viết)" in html.unescape(response.text)
    saved = _file(ward, "ho-kinh-doanh.md").read_text(encoding="utf-8")
    assert saved == (
        '---\ntitle: Đăng ký hộ kinh doanh\ntopic: "y-te"\nvalid_until: 2026-12-31\n'
        'zones: ["tdp-1"]\n---\n' + BODY
    )
    assert saved.endswith(MARKDOWN.split("---\n", 2)[2])
    page = browser(ward, Role.EDITOR).get(f"/scripts/{MD_ID}").text
    assert "chủ đề y-te" in page


def test_a_windows_1258_file_with_crlf_keeps_its_encoding_line_endings_and_body(ward):
    text = (
        "Chủ đề: mot-cua\r\nHiệu lực: từ 01/12/2026 đến 31/12/2026\r\n\r\nBộ phận một cửa\r\n\r\n"
    )
    text += "Bộ phận một cửa làm việc sáng thứ bảy, từ 7 giờ 30.\r\n"
    data = _cp1258(text)
    body = data[data.index(b"\r\n\r\n") :]
    _file(ward, "mot-cua.txt").write_bytes(data)
    response = _save(
        browser(ward, Role.EDITOR), TXT_ID, valid_until="10/01/2027", author="Trạm Y tế phường"
    )
    assert response.status_code == 200, response.text
    saved = _file(ward, "mot-cua.txt").read_bytes()
    assert saved.endswith(body)
    assert b"\n" not in saved.replace(b"\r\n", b"")  # no lone line feed
    decoded = decode_bytes(saved, "mot-cua.txt")
    assert decoded.encoding == "windows-1258"
    lines = unicodedata.normalize("NFC", decoded.text).split("\r\n")
    assert lines[:3] == [
        "Chủ đề: mot-cua",
        "Hiệu lực: từ 01/12/2026 đến 10/01/2027",
        "Người viết: Trạm Y tế phường",
    ]
    assert "10/01/2027" in browser(ward, Role.EDITOR).get(f"/edit/{TXT_ID}").text


def test_a_plain_text_without_fields_gets_labelled_lines_on_top(ward):
    response = _save(browser(ward, Role.EDITOR), TXT_ID, topic="mot-cua")
    assert response.status_code == 200, response.text
    assert _file(ward, "mot-cua.txt").read_text(encoding="utf-8") == "Chủ đề: mot-cua\n\n" + TEXT
    assert "Bộ phận một cửa" in browser(ward, Role.EDITOR).get(f"/scripts/{TXT_ID}").text


def test_a_recording_s_fields_go_to_its_sidecar_and_the_audio_is_untouched(ward):
    audio = _file(ward, "loi-keu-goi.wav").read_bytes()
    response = _save(browser(ward, Role.EDITOR), REC_ID, priority="thông thường", topic="khan")
    assert response.status_code == 200, response.text
    assert _file(ward, "loi-keu-goi.yaml").read_text(encoding="utf-8") == (
        SIDECAR.replace("priority: ưu tiên", 'priority: "thông thường"') + 'topic: "khan"\n'
    )
    assert _file(ward, "loi-keu-goi.wav").read_bytes() == audio


def test_a_word_file_is_never_rewritten_its_fields_go_to_a_sidecar(ward):
    document = docx.Document()
    document.add_paragraph("Lịch tiếp công dân")
    document.add_paragraph("Chủ tịch phường tiếp công dân sáng thứ năm.")
    word = _file(ward, "tiep-dan.docx")
    document.save(str(word))
    before = word.read_bytes()
    page = browser(ward, Role.EDITOR)
    assert "máy không sửa tệp .docx" in page.get("/edit/2026-12/tiep-dan").text
    response = _save(page, "2026-12/tiep-dan", topic="tiep-dan", valid_until="31/12/2026")
    assert response.status_code == 200, response.text
    assert word.read_bytes() == before
    assert _file(ward, "tiep-dan.yaml").read_text(encoding="utf-8") == (
        'chủ đề: "tiep-dan"\nhiệu lực đến: "31/12/2026"\n'
    )


def test_a_file_changed_since_the_form_was_shown_is_not_overwritten(ward):
    page = browser(ward, Role.EDITOR)
    values = _values(page.get(f"/edit/{MD_ID}").text)
    theirs = MARKDOWN.replace("author: Ban biên tập", "author: Tổ dân phố 1")
    _file(ward, "ho-kinh-doanh.md").write_text(theirs, encoding="utf-8")
    response = page.post(f"/edit/{MD_ID}", {**values, "topic": "y-te"})
    assert response.status_code == 409
    assert "đã thay đổi từ lúc mở trang" in html.unescape(response.text)
    assert 'value="Tổ dân phố 1"' in response.text  # the new values shown
    assert _file(ward, "ho-kinh-doanh.md").read_text(encoding="utf-8") == theirs


def test_an_airing_field_edited_after_approval_shows_on_the_script_page(ward):
    approver = browser(ward, Role.APPROVER)
    approver.get(f"/scripts/{MD_ID}")
    assert approver.post(f"/scripts/{MD_ID}", {"action": "approve"}).status_code == 200
    response = _save(browser(ward, Role.EDITOR), MD_ID, valid_until="15/01/2027")
    assert response.status_code == 200, response.text
    page = html.unescape(browser(ward, Role.EDITOR).get(f"/scripts/{MD_ID}").text)
    assert "đã sửa sau khi duyệt" in page
    assert "ngày hết hạn" in page


def test_markup_in_a_field_is_saved_as_text_and_shown_escaped(ward):
    markup = "<script>alert(1)</script>"
    _file(ward, "xss.md").write_text(f'---\ntitle: "{markup}"\n---\n\nNội dung.\n', "utf-8")
    page = browser(ward, Role.EDITOR)
    form = page.get("/edit/2026-12/xss")
    assert markup not in form.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in form.text
    response = _save(page, "2026-12/xss", author='"><script>alert(2)</script>')
    assert response.status_code == 200, response.text
    assert "<script>alert(2)" not in response.text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in response.text


def test_the_edit_is_logged_with_the_account(ward, caplog):
    with caplog.at_level(logging.INFO, logger="broadcast.web"):
        assert _save(browser(ward, Role.EDITOR), MD_ID, topic="y-te").status_code == 200
    edits = [r for r in caplog.records if getattr(r, "event", None) == "script_fields_edited"]
    assert [(r.script, r.fields, r.account) for r in edits] == [
        (MD_ID, ["topic"], ACCOUNTS[Role.EDITOR])
    ]


def test_nothing_changed_saves_nothing(ward):
    before = _file(ward, "ho-kinh-doanh.md").stat().st_mtime_ns
    response = _save(browser(ward, Role.EDITOR), MD_ID)
    assert response.status_code == 200
    assert "Không có thông tin nào thay đổi" in response.text
    assert _file(ward, "ho-kinh-doanh.md").stat().st_mtime_ns == before


def test_a_utf16_sidecar_with_crlf_and_comments_stays_so(ward):
    sidecar = "# thông tin bản ghi\r\ntitle: Lời kêu gọi  # giữ nguyên\r\npriority: ưu tiên\r\n"
    _file(ward, "loi-keu-goi.yaml").write_bytes(sidecar.encode("utf-16"))  # with its mark
    response = _save(browser(ward, Role.EDITOR), REC_ID, zones="tdp-1")
    assert response.status_code == 200, response.text
    saved = _file(ward, "loi-keu-goi.yaml").read_bytes()
    assert saved.startswith(codecs.BOM_UTF16_LE)
    assert saved.decode("utf-16") == sidecar + 'zones: ["tdp-1"]\r\n'


def test_a_field_still_given_elsewhere_is_refused_rather_than_silently_kept(ward):
    _file(ward, "mot-cua.txt").write_text("Chủ đề: mot-cua\n\n" + TEXT, encoding="utf-8")
    _file(ward, "mot-cua.yaml").write_text("chủ đề: hanh-chinh\n", encoding="utf-8")
    before = _file(ward, "mot-cua.yaml").read_bytes()
    response = _save(browser(ward, Role.EDITOR), TXT_ID, topic="")
    assert response.status_code == 422
    assert "máy vẫn đọc là “mot-cua” (lấy từ các dòng thông tin đầu tệp)" in html.unescape(
        response.text
    )
    assert _file(ward, "mot-cua.yaml").read_bytes() == before
