"""The reviewer's flow in Chromium: the log page checks the hash chain and downloads its CSV;
the reports page downloads the quarter's xlsx, which opens with its chart."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By

from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog, Reason
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.web.accounts import Role
from tests.approval.ward import MD_ID, TXT_ID
from tests.web.browser_support import log_in, page_text, wait_for_download, wait_until
from tests.web.console import ACCOUNTS, PASSWORD

TODAY = datetime.now(WARD_TIMEZONE).date()  # the console runs on the system clock
FIRST = TODAY - timedelta(days=5)
SCRIPTS = [(MD_ID, "Đăng ký hộ kinh doanh", "ho-kinh-doanh"), (TXT_ID, "Bộ phận một cửa", None)]


def quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@pytest.fixture
def played(ward: ProjectPaths) -> ProjectPaths:
    """Five days of the 06:00 bulletin on tdp-1, as the daemon logs it; one day cut short."""
    with PlayLog.open(ward) as log:
        for offset in range(5):
            day = FIRST + timedelta(days=offset)
            at = datetime(day.year, day.month, day.day, 6, 0, tzinfo=WARD_TIMEZONE)
            for index, (script_id, title, topic) in enumerate(SCRIPTS):
                airing = Airing(
                    zone="tdp-1",
                    scheduled_at=at + timedelta(minutes=index),
                    title=title,
                    script_id=script_id,
                    topic=topic,
                    slot_id="sang",
                    planned_seconds=60.0,
                )
                started = log.start_attempt(airing, airing.scheduled_at)
                cut = offset == 2 and index == 1
                aired = 20.0 if cut else 60.0
                log.finish_attempt(
                    started,
                    Outcome.PARTIAL if cut else Outcome.PLAYED,
                    ended_at=airing.scheduled_at + timedelta(seconds=aired),
                    aired_seconds=aired,
                    reason=Reason.DEVICE_ERROR if cut else None,
                )
    return ward


def test_the_reviewer_checks_the_log_and_downloads_it_as_csv(
    driver: Any, played: ProjectPaths, site: str, downloads: Path
) -> None:
    log_in(driver, site, ACCOUNTS[Role.REVIEWER], PASSWORD)
    driver.get(f"{site}/logs")
    assert "Đăng ký hộ kinh doanh" in page_text(driver)
    driver.find_element(By.CSS_SELECTOR, "button[name=verify]").click()
    wait_until(driver, lambda d: "toàn vẹn" in page_text(d), "no verdict")
    assert "Nhật ký toàn vẹn: 10 bản ghi" in page_text(driver)

    driver.find_element(By.PARTIAL_LINK_TEXT, "Tải CSV").click()
    saved = wait_for_download(downloads, ".csv")
    with saved.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 1 + 10  # the headings and every play of the last seven days
    assert sum("Đăng ký hộ kinh doanh" in row for row in rows) == 5


def test_the_reviewer_downloads_the_quarter_as_xlsx_and_it_opens_with_its_chart(
    driver: Any, played: ProjectPaths, site: str, downloads: Path
) -> None:
    log_in(driver, site, ACCOUNTS[Role.REVIEWER], PASSWORD)
    driver.get(f"{site}/reports")
    form = driver.find_element(By.CSS_SELECTOR, "form.filters")
    assert form.find_element(By.NAME, "kind").get_attribute("value") == "quarter"
    for name, value in (("number", (TODAY.month - 1) // 3 + 1), ("year", TODAY.year)):
        field = form.find_element(By.NAME, name)
        field.clear()
        field.send_keys(str(value))
    form.find_element(By.CSS_SELECTOR, "button[name=show]").click()
    inline = wait_until(
        driver, lambda d: d.find_elements(By.CSS_SELECTOR, "iframe.report"), "no report shown"
    )
    driver.switch_to.frame(inline[0])  # the html report, shown inline
    assert "Đăng ký hộ kinh doanh" in page_text(driver) or "ho-kinh-doanh" in page_text(driver)
    driver.switch_to.default_content()

    driver.find_element(By.LINK_TEXT, "xlsx").click()
    saved = wait_for_download(downloads, ".xlsx")
    book = load_workbook(saved)
    summary = book["Báo cáo"]
    roman = ("I", "II", "III", "IV")[(TODAY.month - 1) // 3]
    assert f"Quý {roman} năm {TODAY.year}" in str(summary["A1"].value)
    assert [len(sheet._charts) for sheet in book.worksheets].count(1) == 1
    assert len(book["Theo chủ đề"]._charts) == 1  # the bar chart of minutes by topic
    cells = {row[0]: row[1:] for row in summary.iter_rows(values_only=True) if row[0]}
    assert any("Số lượt phát" in str(key) for key in cells), cells
