"""The technician's flow in Chromium, beside a running daemon: the daemon plays a long
bulletin on two zones (WAV files at the real pace); the technician sends an emergency
announcement from the status page, confirms it, and sees it pre-empt the bulletin there; the
log then shows the bulletin cut and the announcement aired, with the account that sent it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from broadcast.daemon.daemon import BroadcastDaemon
from broadcast.paths import ProjectPaths
from broadcast.playlog import Attempt, Outcome
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.web.accounts import Accounts, Role
from tests.daemon.daemon_project import make_project, start_to_files, wait_for, zone_yaml
from tests.web.browser_support import console, log_in, page_text, wait_until
from tests.web.console import ACCOUNTS, PASSWORD

LONG = "Bản tin dài\n\n" + "Bà con nộp hồ sơ trực tuyến tại cổng dịch vụ công của thành phố. " * 8
EMERGENCY = "Khẩn cấp: nước lên nhanh ở khu vực bờ sông, bà con di chuyển đồ đạc lên chỗ cao."
TECHNICIAN, REVIEWER = ACCOUNTS[Role.TECHNICIAN], ACCOUNTS[Role.REVIEWER]


def _playing(found: list[Attempt]) -> bool:
    return any(row.is_open for row in found)


@pytest.fixture
def on_air(tmp_path: Path) -> Iterator[tuple[ProjectPaths, BroadcastDaemon]]:
    """A ward whose slot is now, its daemon on WAV files, something already on the air."""
    paths = make_project(
        tmp_path / "ward",
        [zone_yaml("to-1", "file", [1]), zone_yaml("to-2", "file", [1])],
        {"a-dai.txt": LONG},
    )
    accounts = Accounts.of(paths)
    for name, role in ((TECHNICIAN, Role.TECHNICIAN), (REVIEWER, Role.REVIEWER)):
        accounts.add(name, role, PASSWORD, datetime.now(WARD_TIMEZONE))
    daemon = start_to_files(paths)
    try:
        wait_for(paths, _playing, 60)
        yield paths, daemon
    finally:
        daemon.stop()
        root = logging.getLogger("broadcast")  # the daemon's own log file, detached
        for handler in list(root.handlers):
            if getattr(handler, "_broadcast_daemon", False):
                root.removeHandler(handler)
                handler.close()


def live_text(driver: Any) -> str:
    return " ".join(e.text for e in driver.find_elements(By.ID, "live"))


def test_the_technician_sends_an_emergency_and_sees_it_pre_empt_the_bulletin(
    driver: Any, on_air: tuple[ProjectPaths, BroadcastDaemon]
) -> None:
    paths, _ = on_air
    with console(paths) as site:
        log_in(driver, site, TECHNICIAN, PASSWORD)
        driver.get(f"{site}/status")
        assert "ĐANG CHẠY" in live_text(driver)
        assert "Không có gì đang phát" not in live_text(driver)

        form = driver.find_element(By.CSS_SELECTOR, "form[action='/status/announce']")
        form.find_element(By.NAME, "text").send_keys(EMERGENCY)
        for box in form.find_elements(By.CSS_SELECTOR, "input[name=zones]"):
            if box.get_attribute("value") in ("to-1", "to-2"):
                box.click()
        Select(form.find_element(By.NAME, "priority")).select_by_value("emergency")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

        confirm = wait_until(
            driver, lambda d: d.find_elements(By.CSS_SELECTOR, "section.confirm"), "no confirm"
        )[0]
        assert "khẩn cấp" in confirm.text and EMERGENCY in confirm.text
        assert "cho: moi-noi?" in confirm.text  # both zones: the ward's group of all zones
        assert not [r for r in wait_for(paths, lambda f: True) if r.airing.bulletin_id]
        confirm.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_until(driver, lambda d: "Đã nhận thông báo khẩn cấp" in page_text(d), "not sent")

        # the page refreshes itself (static/status.js): is the announcement shown on the air?
        rows = wait_for(
            paths, lambda f: any(r.airing.bulletin_id and r.is_open for r in f), timeout=60
        )
        bulletin = next(r for r in rows if r.airing.bulletin_id)
        wait_until(
            driver, lambda d: bulletin.airing.title in live_text(d), "not on air", timeout=10
        )
        assert "ĐANG CHẠY" in live_text(driver)

        found = wait_for(
            paths,
            lambda f: sum(1 for r in f if r.airing.bulletin_id and r.outcome) == 2,
            timeout=90,
        )
        cut = [r for r in found if r.airing.script_id == "a-dai"]
        aired = [r for r in found if r.airing.bulletin_id]
        assert cut and all(r.outcome is not Outcome.PLAYED for r in cut[:2])
        assert [r.outcome for r in aired] == [Outcome.PLAYED, Outcome.PLAYED]

        # in the log page, as the reviewer reads it
        driver.delete_all_cookies()
        log_in(driver, site, REVIEWER, PASSWORD)
        driver.get(f"{site}/logs")
        text = page_text(driver)
        assert bulletin.airing.title in text
        assert "Bản tin dài" in text
