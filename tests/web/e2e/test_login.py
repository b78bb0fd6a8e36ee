"""Logging in through the real form in Chromium, and what a stranger gets."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By

from broadcast.web.accounts import Role
from tests.web.browser_support import log_in, page_text, session_get, wait_until
from tests.web.console import ACCOUNTS, PASSWORD


def test_a_wrong_password_stays_on_the_form_and_the_right_one_opens_the_console(
    driver: Any, site: str
) -> None:
    driver.get(f"{site}/")
    assert "/login" in driver.current_url  # not logged in: the form first
    driver.find_element(By.NAME, "username").send_keys(ACCOUNTS[Role.EDITOR])
    driver.find_element(By.NAME, "password").send_keys("sai-mat-khau")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    refused = wait_until(  # a failed try is answered after a delay, on the form again
        driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[role=alert]"), "no refusal"
    )
    assert refused[0].text == "Sai tên đăng nhập hoặc mật khẩu." and "/login" in driver.current_url
    assert driver.find_elements(By.NAME, "password")

    log_in(driver, site, ACCOUNTS[Role.EDITOR], PASSWORD)
    assert "Bài phát" in page_text(driver)  # the navigation of a logged-in editor
    cookie = driver.get_cookie("loa_phuong_session")
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax"


def test_pages_outside_the_role_say_so_in_vietnamese(driver: Any, site: str) -> None:
    log_in(driver, site, ACCOUNTS[Role.EDITOR], PASSWORD)
    menu = driver.find_element(By.TAG_NAME, "nav").text
    assert "Bài phát" in menu and "Nhật ký" not in menu  # only what the role may open
    status, _, _ = session_get(driver, f"{site}/logs")
    assert status == 403
    driver.get(f"{site}/logs")
    assert "không có quyền xem nhật ký phát" in page_text(driver)
