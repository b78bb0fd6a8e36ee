"""The editor's flow in Chromium: a Word file with an impossible date is refused with the line
that holds it and nothing is saved; the fixed file is saved; the editor makes its audio and
the page's player plays a WAV from the console."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
from selenium.webdriver.common.by import By

from broadcast.paths import ProjectPaths
from broadcast.web.accounts import Role
from tests.web.browser_support import log_in, page_text, session_get, wait_until
from tests.web.console import ACCOUNTS, PASSWORD

TITLE = "Lịch tiêm chủng tháng 12"
BODY = "Kính thưa bà con. Trạm y tế phường tiêm chủng mở rộng vào sáng thứ bảy tuần này."


def word_file(folder: Path, valid_until: str) -> Path:
    """What the board writes in Word: labelled lines on top, then the bulletin."""
    folder.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    for paragraph in (f"Tiêu đề: {TITLE}", f"Hiệu lực đến: {valid_until}", "", BODY):
        document.add_paragraph(paragraph)
    path = folder / "tiem-chung.docx"
    document.save(str(path))
    return path


def upload(driver: Any, site: str, file: Path) -> None:
    driver.get(f"{site}/scripts")
    driver.find_element(By.CSS_SELECTOR, 'a[href="/scripts/upload"]').click()
    wait_until(driver, lambda d: d.current_url.endswith("/scripts/upload"), "no upload form")
    form = driver.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data']")
    form.find_element(By.NAME, "file").send_keys(str(file))
    form.find_element(By.NAME, "folder").send_keys("2026-12")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".notice"), "no answer")


def test_the_editor_fixes_the_line_uploads_again_and_listens(
    driver: Any, site: str, ward: ProjectPaths, tmp_path: Path
) -> None:
    saved = ward.scripts_dir / "2026-12" / "tiem-chung.docx"
    log_in(driver, site, ACCOUNTS[Role.EDITOR], PASSWORD)

    upload(driver, site, word_file(tmp_path / "ban-dau", "31/02/2027"))
    refused = driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "CHƯA lưu" in refused
    assert '"Hiệu lực đến"' in refused and "31/02/2027" in refused  # the line, as typed
    assert not saved.exists()

    upload(driver, site, word_file(tmp_path / "da-sua", "31/01/2027"))
    notice = driver.find_element(By.CSS_SELECTOR, "[role=status]")
    assert "Đã lưu bài" in notice.text and TITLE in notice.text
    assert saved.exists()

    notice.find_element(By.PARTIAL_LINK_TEXT, TITLE).click()
    wait_until(driver, lambda d: d.current_url.endswith("/scripts/2026-12/tiem-chung"), "page")
    assert TITLE in driver.find_element(By.TAG_NAME, "h1").text
    assert "Trạm y tế phường tiêm chủng mở rộng" in page_text(driver)  # its text, to read
    buttons = driver.find_elements(By.CSS_SELECTOR, "form button")
    make = [button for button in buttons if button.text == "Tạo âm thanh"]
    if make:  # no audio yet: the editor asks for it
        make[0].click()
    player = wait_until(
        driver, lambda d: d.find_elements(By.CSS_SELECTOR, "audio[src]"), "no player", 120
    )[0]
    source = player.get_attribute("src")
    status, kind, body = session_get(driver, source)
    assert (status, kind) == (200, "audio/wav")
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE" and len(body) > 10_000
    # the browser itself can load it: metadata with a duration of a few seconds
    driver.execute_script("arguments[0].preload = 'metadata'; arguments[0].load();", player)
    seconds = wait_until(
        driver,
        lambda d: d.execute_script(
            "const a = arguments[0]; return a.readyState >= 1 ? a.duration : 0;", player
        ),
        "the player cannot read the audio",
    )
    assert 2 < seconds < 60


EVIL = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_a_title_with_markup_shows_as_text_and_runs_nothing(
    driver: Any, site: str, ward: ProjectPaths
) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    (ward.scripts_dir / "2026-12" / "doc-hai.md").write_text(
        f"---\ntitle: '{EVIL}'\n---\n\nNội dung {EVIL} bình thường.\n", encoding="utf-8"
    )
    log_in(driver, site, ACCOUNTS[Role.APPROVER], PASSWORD)
    for path in ("/scripts", "/scripts/2026-12/doc-hai", "/plan"):
        driver.get(f"{site}{path}")
        assert EVIL in page_text(driver), path  # shown as written
        assert not driver.find_elements(By.CSS_SELECTOR, "main img[src=x], main script"), path
        try:
            driver.switch_to.alert.dismiss()
            raise AssertionError(f"{path} ran the title's script")
        except NoAlertPresentException:
            pass


def test_the_editor_changes_a_date_on_the_script_page_a_bad_one_first(
    driver: Any, site: str, ward: ProjectPaths
) -> None:
    file = ward.scripts_dir / "2026-12" / "ho-kinh-doanh.md"
    body = file.read_bytes().split(b"---\n", 2)[2]
    log_in(driver, site, ACCOUNTS[Role.EDITOR], PASSWORD)
    driver.get(f"{site}/scripts/2026-12/ho-kinh-doanh")
    driver.find_element(By.LINK_TEXT, "Sửa thông tin bài").click()
    wait_until(driver, lambda d: "/edit/2026-12/ho-kinh-doanh" in d.current_url, "no edit form")

    def send(valid_until: str) -> None:
        field = driver.find_element(By.NAME, "valid_until")
        field.clear()
        field.send_keys(valid_until)
        driver.find_element(By.CSS_SELECTOR, "form[action^='/edit/'] button").click()
        wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".notice"), "no answer")

    send("31/02/2027")
    refused = driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "CHƯA lưu" in refused
    assert "ho-kinh-doanh.md:4" in refused and "31/02/2027" in refused  # the line, as typed
    assert b"31/02/2027" not in file.read_bytes()

    send("31/01/2027")
    wait_until(driver, lambda d: "Đã lưu (hiệu lực đến)" in page_text(d), "not saved")
    assert 'valid_until: "31/01/2027"' in file.read_text(encoding="utf-8")
    assert file.read_bytes().endswith(body)
