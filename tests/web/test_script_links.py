"""Links to a script whose file name has ``#``, ``?``, ``%``, spaces or Vietnamese letters: the
table's link opens its page, and the page's buttons (approve, edit, audio) work for it."""

from __future__ import annotations

import html
import re
import shutil

import pytest

from broadcast.approval import EventKind
from broadcast.web.accounts import Role
from tests.approval.ward import HEAD, MARKDOWN, events
from tests.web.console import ACCOUNTS, PASSWORD, browser, make_console_ward

FOLDER = "Tháng 12 #2"
TEXT_ID = f"{FOLDER}/tin #3?"  # scripts_vi/Tháng 12 #2/tin #3?.md
RECORDING_ID = f"{FOLDER}/ghi âm 100%?"  # scripts_vi/Tháng 12 #2/ghi âm 100%?.wav
TEXT_TITLE = "Tin số 3, họp tổ #3?"
RECORDING_TITLE = "Lời kêu gọi 100% hộ dân"
_FORMS = re.compile(r"<form method=\"post\"([^>]*)>")


@pytest.fixture
def ward(tmp_path):
    paths = make_console_ward(tmp_path)
    folder = paths.scripts_dir / FOLDER
    folder.mkdir()
    markdown = MARKDOWN.replace("Đăng ký hộ kinh doanh", f'"{TEXT_TITLE}"', 1)
    (folder / "tin #3?.md").write_text(markdown, encoding="utf-8")
    recording = paths.scripts_dir / "2026-12" / "loi-keu-goi"
    shutil.copy(recording.with_suffix(".wav"), folder / "ghi âm 100%?.wav")
    sidecar = f'title: "{RECORDING_TITLE}"\n'
    (folder / "ghi âm 100%?.yaml").write_text(sidecar, encoding="utf-8")
    return paths


def _link(page_text: str, title: str) -> str:
    """The ``href`` of the link named ``title``, as the browser reads it."""
    found = re.search(rf'<a href="([^"]+)">{re.escape(html.escape(title))}</a>', page_text)
    assert found, title
    return html.unescape(found[1])


def _attribute(page_text: str, pattern: str) -> str:
    found = re.search(pattern, page_text)
    assert found, pattern
    return html.unescape(found[1])


def test_the_table_links_each_page_with_its_path_encoded_folders_kept(ward):
    table = browser(ward, Role.EDITOR).get("/scripts").text
    assert _link(table, TEXT_TITLE) == "/scripts/Th%C3%A1ng%2012%20%232/tin%20%233%3F"
    assert _link(table, RECORDING_TITLE).endswith("/ghi%20%C3%A2m%20100%25%3F")
    assert html.escape(TEXT_ID) in table  # the id itself is shown as it is


def test_the_link_opens_the_page_and_approve_and_edit_work_there(ward):
    approver = browser(ward, Role.APPROVER)
    href = _link(approver.get("/scripts").text, TEXT_TITLE)
    page = approver.get(href)
    assert page.status_code == 200
    assert f"<h1>{html.escape(TEXT_TITLE)}</h1>" in page.text
    assert html.escape(TEXT_ID) in page.text
    # its forms name no action: the browser sends them to the page's own (encoded) address
    forms = _FORMS.findall(page.text)
    assert forms and not any("action=" in form for form in forms)
    approved = approver.post(href, {"action": "approve", "comment": "được"})
    assert approved.status_code == 200
    assert f"Đã duyệt, bởi {HEAD}" in approved.text
    (event,) = events(ward)
    assert event.kind is EventKind.APPROVED and event.script_id == TEXT_ID
    assert event.by == ACCOUNTS[Role.APPROVER]

    editor = browser(ward, Role.EDITOR)
    edit = _attribute(editor.get(href).text, r'<a class="button" href="([^"]+)">Sửa thông tin bài')
    assert edit == "/edit/Th%C3%A1ng%2012%20%232/tin%20%233%3F"
    form = editor.get(edit)
    assert form.status_code == 200
    assert _attribute(form.text, r'<a href="([^"]+)">Quay lại trang bài') == href
    action = _attribute(form.text, r'<form method="post" action="([^"]+)">')
    assert action == edit
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input name="(\w+)" value="([^"]*)"', form.text)
    }
    fields["fingerprint"] = _attribute(form.text, r'name="fingerprint" value="([0-9a-f]+)"')
    fields["priority"] = _attribute(form.text, r'<option value="([^"]+)" selected')
    saved = editor.post(action, {**fields, "topic": "y-te"})
    assert saved.status_code == 200, saved.text
    assert "Đã lưu" in saved.text
    assert 'topic: "y-te"' in (ward.scripts_dir / FOLDER / "tin #3?.md").read_text("utf-8")


def test_the_audio_of_such_a_script_is_made_and_served_from_its_page(ward):
    editor = browser(ward, Role.EDITOR)
    href = _link(editor.get("/scripts").text, RECORDING_TITLE)
    assert "Tạo âm thanh" in editor.get(href).text
    made = editor.post(href, {"action": "render"})
    assert made.status_code == 200, made.text
    source = _attribute(made.text, r'<audio controls preload="none" src="([^"]+)"')
    assert source == "/audio/Th%C3%A1ng%2012%20%232/ghi%20%C3%A2m%20100%25%3F"
    audio = editor.get(source)
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/wav"
    assert audio.content.startswith(b"RIFF")
    listened = editor.post(href, {"action": "listen", "audio_hash": _hash(made.text)})
    assert listened.status_code == 200, listened.text
    assert "Đã ghi lần nghe thử" in listened.text


def _hash(page_text: str) -> str:
    return _attribute(page_text, r'name="audio_hash" value="([0-9a-f]+)"')


def test_logging_in_from_such_a_link_comes_back_to_the_same_page(ward):
    href = _link(browser(ward, Role.EDITOR).get("/scripts").text, TEXT_TITLE)
    visitor = browser(ward, None)
    sent_away = visitor.get(href)
    assert sent_away.status_code == 303
    login = visitor.get(sent_away.headers["location"])
    assert login.status_code == 200
    next_field = _attribute(login.text, r'name="next" value="([^"]*)"')
    sent = {"username": ACCOUNTS[Role.EDITOR], "password": PASSWORD, "next": next_field}
    answer = visitor.post("/login", sent)
    assert answer.status_code == 303
    back = visitor.get(answer.headers["location"])
    assert back.status_code == 200
    assert f"<h1>{html.escape(TEXT_TITLE)}</h1>" in back.text
