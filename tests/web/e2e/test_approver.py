"""The approver's flow in Chromium: a script waits on the plan page for approval, the approver
opens it from there, approves it on its page, and the plan grid then has it."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By

from broadcast.approval.events import EventKind
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog
from broadcast.web.accounts import Role
from tests.approval.ward import MD_ID
from tests.web.browser_support import log_in, page_text, wait_until
from tests.web.console import ACCOUNTS, PASSWORD

TITLE = "Đăng ký hộ kinh doanh"  # MD_ID's title


def grid_text(driver: Any) -> str:
    return " ".join(table.text for table in driver.find_elements(By.CSS_SELECTOR, "table.grid"))


def test_the_approver_approves_on_the_script_page_and_the_plan_grid_shows_it(
    driver: Any, site: str, ward: ProjectPaths
) -> None:
    log_in(driver, site, ACCOUNTS[Role.APPROVER], PASSWORD)
    driver.get(f"{site}/plan")
    waiting = driver.find_element(By.CSS_SELECTOR, "section.left-out")
    assert TITLE in waiting.text and "duyệt" in waiting.text
    assert TITLE not in grid_text(driver)

    waiting.find_element(By.PARTIAL_LINK_TEXT, TITLE).click()
    wait_until(driver, lambda d: d.current_url.endswith(f"/scripts/{MD_ID}"), "not its page")
    approve = [
        button
        for button in driver.find_elements(By.CSS_SELECTOR, "form button, form input[type=submit]")
        if (button.text or button.get_attribute("value") or "").strip().startswith("Duyệt")
    ]
    assert approve, page_text(driver)
    approve[0].click()
    wait_until(driver, lambda d: "đã duyệt" in page_text(d).lower(), "no approval shown")
    assert ACCOUNTS[Role.APPROVER] in page_text(driver)  # the account, not a typed name

    driver.get(f"{site}/plan")
    assert TITLE in grid_text(driver)
    assert not driver.find_elements(By.CSS_SELECTOR, "section.left-out") or TITLE not in (
        driver.find_element(By.CSS_SELECTOR, "section.left-out").text
    )
    with PlayLog.open_for_reading(ward) as log:  # the approval is in the log, by the account
        approvals = log.approval_events(MD_ID)
    approvals = [e for e in approvals if e.kind is EventKind.APPROVED]
    assert approvals and approvals[-1].by == ACCOUNTS[Role.APPROVER]
