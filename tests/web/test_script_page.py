"""A script's page: text beside its reading, its audio (only to those who may listen, only
from the audio cache), approve / revoke / "Đã nghe" by role, recording the account."""

from __future__ import annotations

import html
import re

import pytest

from broadcast.approval import EventKind
from broadcast.audio.manifest import AudioManifest
from broadcast.web.accounts import Role
from tests.approval.ward import BAD_ID, HEAD, MD_ID, REC_ID, TXT_ID, events
from tests.web.console import ACCOUNTS, browser, make_console_ward


@pytest.fixture
def ward(tmp_path):
    return make_console_ward(tmp_path)


def _rendered(ward, script_id: str = REC_ID):
    """The script's audio, made by the page's "Tạo âm thanh" button."""
    page = browser(ward, Role.EDITOR)
    assert "Tạo âm thanh" in page.get(f"/scripts/{script_id}").text
    response = page.post(f"/scripts/{script_id}", {"action": "render"})
    assert response.status_code == 200, response.text
    assert f'src="/audio/{script_id}"' in response.text
    return AudioManifest.load(ward).entry(script_id)


def _page_of(ward, name: str, title: str, body: str, role: Role = Role.EDITOR):
    """A new script ``2026-12/name`` and its page as ``role`` sees it."""
    text = f"---\ntitle: {title}\n---\n\n{body}\n"
    (ward.scripts_dir / "2026-12" / f"{name}.md").write_text(text, encoding="utf-8")
    return browser(ward, role).get(f"/scripts/2026-12/{name}")


def test_the_page_shows_the_text_beside_its_reading_explained_on_hover(ward):
    page = _page_of(ward, "hop", "Họp tổ dân phố", "Họp lúc 19h30 ngày 12/12/2026 tại nhà văn hóa.")
    assert page.status_code == 200
    text = html.unescape(page.text)
    # as written, each rewritten piece marked with what it is read as and why
    assert re.search(
        r'Họp lúc <mark title="Đọc là: mười chín giờ ba mươi — [^"]+">19h30</mark>', text
    )
    assert "họp lúc mười chín giờ ba mươi ngày mười hai tháng mười hai" in text  # as read


def test_markup_in_the_title_and_text_is_shown_escaped_in_the_reading(ward):
    markup = "<img src=x onerror=alert(2)> 5 kg."
    page = _page_of(ward, "xss", "<script>alert(1)</script>", markup, Role.APPROVER)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_a_rejected_file_shows_its_problem_an_unknown_id_is_404(ward):
    page = browser(ward, Role.EDITOR)
    rejected = page.get(f"/scripts/{BAD_ID}")
    assert "scripts_vi/2026-12/hong.md:2" in html.unescape(rejected.text)
    assert page.get("/scripts/2026-12/khong-co").status_code == 404


def test_audio_is_served_to_listening_roles_only_and_only_from_the_cache(ward):
    entry = _rendered(ward)
    for role in (Role.EDITOR, Role.APPROVER, Role.ADMIN):
        response = browser(ward, role).get(f"/audio/{REC_ID}")
        assert response.status_code == 200, role
        assert response.content == entry.path.read_bytes()
        assert response.headers["content-type"] == "audio/wav"
    for role in (Role.TECHNICIAN, Role.REVIEWER):
        response = browser(ward, role).get(f"/audio/{REC_ID}")
        assert response.status_code == 403 and "không có quyền" in response.text
    assert browser(ward, None).get(f"/audio/{REC_ID}").status_code == 303
    editor = browser(ward, Role.EDITOR)
    assert editor.get("/audio/2026-12/khong-co").status_code == 404
    for trick in ("../schedules.yaml", "..%2Fschedules.yaml", "%2Fetc%2Fpasswd", "/etc/passwd"):
        response = editor.get(f"/audio/{trick}")
        assert response.status_code == 404, trick
        assert b"timezone" not in response.content and b"root:" not in response.content


def test_a_manifest_entry_pointing_outside_the_cache_is_not_served(ward):
    entry = _rendered(ward)
    manifest_file = next(ward.audio_cache_dir.glob("*.json"))
    manifest_file.write_text(
        manifest_file.read_text(encoding="utf-8").replace(entry.file, "../../schedules.yaml"),
        encoding="utf-8",
    )
    response = browser(ward, Role.EDITOR).get(f"/audio/{REC_ID}")
    assert response.status_code == 404
    assert b"timezone" not in response.content


def test_the_approver_approves_and_the_account_name_is_recorded(ward):
    approver = browser(ward, Role.APPROVER)
    approver.get(f"/scripts/{MD_ID}")
    response = approver.post(f"/scripts/{MD_ID}", {"action": "approve", "comment": "được"})
    assert response.status_code == 200
    assert f"Đã duyệt, bởi {HEAD}" in response.text
    (event,) = events(ward)
    assert event.kind is EventKind.APPROVED and event.by == ACCOUNTS[Role.APPROVER] == HEAD
    assert event.origin.startswith("trang quản lý từ ")
    again = approver.post(f"/scripts/{MD_ID}", {"action": "approve"})
    assert again.status_code == 409 and "đã được duyệt" in again.text
    assert len(events(ward)) == 1
    assert "đã duyệt" in html.unescape(approver.get("/scripts").text)


def test_an_editor_may_not_approve_nor_revoke(ward):
    editor = browser(ward, Role.EDITOR)
    editor.get(f"/scripts/{MD_ID}")
    for action in ("approve", "revoke"):
        response = editor.post(f"/scripts/{MD_ID}", {"action": action, "comment": "x"})
        assert response.status_code == 403
        assert "không được" in response.text
    assert events(ward) == []


def test_an_admin_not_listed_as_approver_is_refused_in_vietnamese(ward):
    admin = browser(ward, Role.ADMIN)
    admin.get(f"/scripts/{MD_ID}")
    response = admin.post(f"/scripts/{MD_ID}", {"action": "approve"})
    assert response.status_code == 403
    assert "không có trong danh sách người duyệt" in html.unescape(response.text)
    assert events(ward) == []


def test_a_post_without_the_csrf_token_is_refused(ward):
    approver = browser(ward, Role.APPROVER)
    response = approver.client.post(f"/scripts/{MD_ID}", data={"action": "approve"})
    assert response.status_code == 403 and "CSRF" in response.text
    assert events(ward) == []


def test_revoke_needs_a_reason(ward):
    approver = browser(ward, Role.APPROVER)
    approver.get(f"/scripts/{TXT_ID}")
    assert approver.post(f"/scripts/{TXT_ID}", {"action": "approve"}).status_code == 200
    empty = approver.post(f"/scripts/{TXT_ID}", {"action": "revoke", "comment": "  "})
    assert empty.status_code == 400 and "lý do" in empty.text
    assert len(events(ward)) == 1
    done = approver.post(f"/scripts/{TXT_ID}", {"action": "revoke", "comment": "sai số liệu"})
    assert done.status_code == 200 and "Đã thu hồi duyệt" in done.text
    revoked = events(ward)[-1]
    assert revoked.kind is EventKind.REVOKED and revoked.comment == "sai số liệu"
    assert revoked.by == HEAD


def test_listened_records_the_audio_the_page_played(ward):
    entry = _rendered(ward)
    editor = browser(ward, Role.EDITOR)
    page = editor.get(f"/scripts/{REC_ID}")
    assert f'value="{entry.audio_hash}"' in page.text
    wrong = editor.post(f"/scripts/{REC_ID}", {"action": "listen", "audio_hash": "0" * 64})
    assert wrong.status_code == 409 and events(ward) == []
    response = editor.post(
        f"/scripts/{REC_ID}", {"action": "listen", "audio_hash": entry.audio_hash}
    )
    assert response.status_code == 200 and "Đã ghi lần nghe thử" in response.text
    (listen,) = events(ward)
    assert listen.kind is EventKind.LISTENED and listen.audio_hash == entry.audio_hash
    assert listen.by == ACCOUNTS[Role.EDITOR]
    assert "nghe thử" in page.text or "nghe thử" in editor.get(f"/scripts/{REC_ID}").text


def test_a_technician_may_not_record_a_listen(ward):
    technician = browser(ward, Role.TECHNICIAN)
    technician.get(f"/scripts/{MD_ID}")
    response = technician.post(f"/scripts/{MD_ID}", {"action": "listen", "audio_hash": "x"})
    assert response.status_code == 403


def test_the_page_works_when_the_daemon_is_not_running(ward):
    # no daemon, no play log yet: the chain and plays say so, nothing fails
    page = browser(ward, Role.REVIEWER).get(f"/scripts/{TXT_ID}")
    assert page.status_code == 200
    assert "Chưa phát lần nào." in page.text
