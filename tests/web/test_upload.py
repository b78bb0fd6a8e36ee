"""Tải bài lên: the file is read as the drop folder reads it BEFORE anything is saved; a bad
file shows its problems by line and leaves ``scripts_vi/`` as it was."""

from __future__ import annotations

import html
import io
import zipfile

import docx
import pytest

from broadcast.scripts import encode_tcvn3, load_folder
from broadcast.web.accounts import Role
from broadcast.web.pages import upload
from tests.approval.ward import write_wav
from tests.web.console import browser, make_console_ward

NOTICE = "Lịch tiêm chủng\n\nKính thưa bà con, trạm y tế tiêm chủng sáng thứ bảy.\n"


@pytest.fixture
def ward(tmp_path):
    return make_console_ward(tmp_path)


def _files(ward) -> set[str]:
    return {p.relative_to(ward.home).as_posix() for p in ward.scripts_dir.rglob("*")}


def _send(ward, role, name: str, data: bytes, **fields: str):
    page = browser(ward, role)
    page.get("/scripts/upload")
    return page.post(
        "/scripts/upload", {"folder": "2026-12", **fields}, files={"file": (name, data)}
    )


def _word(validity: str) -> bytes:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Tiêu đề", "Lịch tiêm chủng"
    table.cell(1, 0).text, table.cell(1, 1).text = "Hiệu lực đến ngày", validity
    document.add_paragraph("Kính thưa bà con, trạm y tế tiêm chủng sáng thứ bảy.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_file_with_an_error_shows_where_and_saves_nothing_then_the_fixed_one_saves(ward):
    before = _files(ward)
    response = _send(ward, Role.EDITOR, "tiem-chung.docx", _word("31/13/2026"))
    text = html.unescape(response.text)
    assert response.status_code == 422
    assert "CHƯA lưu gì" in text
    assert 'hàng 2 của bảng đầu văn bản, ô "Hiệu lực đến ngày"' in text
    assert "31/13/2026" in text
    assert _files(ward) == before
    fixed = _send(ward, Role.EDITOR, "tiem-chung.docx", _word("31/12/2026"))
    assert fixed.status_code == 200, fixed.text
    assert "Đã lưu bài" in fixed.text
    saved = next(s for s in load_folder(ward).scripts if s.id == "2026-12/tiem-chung")
    assert saved.title == "Lịch tiêm chủng" and str(saved.valid_until) == "2026-12-31"
    assert not [p for p in ward.scripts_dir.rglob("*") if p.name.startswith(".")]  # no temp left


def test_a_markdown_error_is_shown_with_its_line_number(ward):
    data = "---\ntitle: Họp\nvalid_until: 2026-13-01\n---\n\nHọp tổ dân phố.\n".encode()
    response = _send(ward, Role.EDITOR, "hop.md", data)
    assert response.status_code == 422
    assert "scripts_vi/2026-12/hop.md:3" in html.unescape(response.text)
    assert not (ward.scripts_dir / "2026-12" / "hop.md").exists()


def test_a_tcvn3_text_is_read(ward):
    response = _send(ward, Role.EDITOR, "tiem.txt", encode_tcvn3(NOTICE))
    assert response.status_code == 200, response.text
    script = next(s for s in load_folder(ward).scripts if s.id == "2026-12/tiem")
    assert script.title == "Lịch tiêm chủng"
    assert (ward.scripts_dir / "2026-12" / "tiem.txt").read_bytes() == encode_tcvn3(NOTICE)


def test_a_recording_is_saved_with_its_fields_in_a_sidecar(ward, tmp_path):
    wav = tmp_path / "loi.wav"
    write_wav(wav, 0.3)
    response = _send(
        ward,
        Role.APPROVER,
        "loi.wav",
        wav.read_bytes(),
        title="Lời kêu gọi phòng cháy",
        topic="pccc",
        priority="ưu tiên",
    )
    assert response.status_code == 200, response.text
    script = next(s for s in load_folder(ward).scripts if s.id == "2026-12/loi")
    assert script.title == "Lời kêu gọi phòng cháy" and script.topic == "pccc"
    assert (ward.scripts_dir / "2026-12" / "loi.yaml").exists()


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("2026-12", "../x.md"),
        ("2026-12", "C:\\x.md"),
        ("2026-12", "/etc/x.md"),
        ("../..", "x.md"),
        ("/etc", "x.md"),
        ("C:\\Windows", "x.md"),
        ("2026-12/../../..", "x.md"),
    ],
)
def test_names_leaving_the_scripts_folder_are_refused(ward, folder, name):
    before = _files(ward)
    home_before = {p.name for p in ward.home.iterdir()}
    page = browser(ward, Role.EDITOR)
    page.get("/scripts/upload")
    response = page.post(
        "/scripts/upload",
        {"folder": folder, "name": name},
        files={"file": ("x.md", NOTICE.encode())},
    )
    assert response.status_code == 400
    assert "Không lưu" in response.text
    assert _files(ward) == before
    assert {p.name for p in ward.home.iterdir()} == home_before


def test_a_traversal_in_the_uploaded_files_own_name_is_cut_to_its_name(ward):
    response = _send(ward, Role.EDITOR, "../../x.md", NOTICE.encode())
    assert response.status_code in (200, 400)
    assert not (ward.home / "x.md").exists() and not (ward.home.parent / "x.md").exists()


def test_an_oversized_file_is_refused(ward, monkeypatch):
    monkeypatch.setattr(upload, "TEXT_LIMIT", 1024)  # the same check, a smaller limit
    before = _files(ward)
    response = _send(ward, Role.EDITOR, "dai.txt", ("Bài dài. " * 500).encode())
    assert response.status_code == 400 and "quá lớn" in response.text
    assert _files(ward) == before


def test_the_real_limits_are_said_on_the_form(ward):
    page = browser(ward, Role.EDITOR).get("/scripts/upload").text
    assert "tối đa 10 MB" in page and "tối đa 50 MB" in page


def test_a_zip_bomb_named_docx_is_refused(ward):
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<" + b"a" * (50 * 1024 * 1024))
    before = _files(ward)
    response = _send(ward, Role.EDITOR, "bom.docx", package.getvalue())
    assert response.status_code == 422
    assert _files(ward) == before


def test_a_docx_that_is_not_a_zip_and_a_fake_wav_are_refused(ward):
    before = _files(ward)
    response = _send(ward, Role.EDITOR, "gia.docx", b"not a zip at all " * 10)
    assert response.status_code == 400 and "không phải gói zip" in response.text
    response = _send(ward, Role.EDITOR, "gia.wav", b"<html>not audio</html>")
    assert response.status_code == 400 and "không phải âm thanh WAV" in response.text
    assert _files(ward) == before


def test_another_script_is_never_overwritten_unless_replace_is_asked(ward):
    original = (ward.scripts_dir / "2026-12" / "mot-cua.txt").read_bytes()
    new = "Bộ phận một cửa\n\nLàm việc cả chủ nhật.\n".encode()
    response = _send(ward, Role.EDITOR, "mot-cua.txt", new)
    assert response.status_code == 400 and "Thay bản cũ" in response.text
    assert (ward.scripts_dir / "2026-12" / "mot-cua.txt").read_bytes() == original
    # same id, another file type: never, even with "replace"
    clash = _send(ward, Role.EDITOR, "mot-cua.md", new, replace="yes")
    assert clash.status_code == 400 and "đã là của tệp" in html.unescape(clash.text)
    replaced = _send(ward, Role.EDITOR, "mot-cua.txt", new, replace="yes")
    assert replaced.status_code == 200
    assert (ward.scripts_dir / "2026-12" / "mot-cua.txt").read_bytes() == new


def test_only_editors_and_above_may_upload_and_the_token_is_needed(ward):
    for role in (Role.TECHNICIAN, Role.REVIEWER):
        assert browser(ward, role).get("/scripts/upload").status_code == 403
        response = _send(ward, role, "x.md", NOTICE.encode())
        assert response.status_code == 403 and "tải bài lên" in response.text
    assert browser(ward, None).get("/scripts/upload").status_code == 303
    editor = browser(ward, Role.EDITOR)
    response = editor.client.post(
        "/scripts/upload", data={"folder": "2026-12"}, files={"file": ("x.md", NOTICE.encode())}
    )
    assert response.status_code == 403 and "CSRF" in response.text
    assert not (ward.scripts_dir / "2026-12" / "x.md").exists()


def test_a_title_with_markup_in_a_refused_upload_is_escaped(ward):
    data = b"---\ntitle: <script>alert(1)</script>\nvalid_until: 2026-13-01\n---\n\nA.\n"
    response = _send(ward, Role.EDITOR, "x.md", data, title="<script>alert(2)</script>")
    assert "<script>alert" not in response.text
