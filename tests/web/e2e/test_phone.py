"""Every page on a phone's screen (390×844, as a technician's phone): nothing wider than the
screen; wide tables scroll inside their own box, not the page."""

from __future__ import annotations

from typing import Any

import pytest

from broadcast.web.accounts import Role
from tests.approval.ward import MD_ID
from tests.web.browser_support import HEIGHT, WIDTH, log_in
from tests.web.console import ACCOUNTS, PASSWORD

PAGES = ["/scripts", f"/scripts/{MD_ID}", "/scripts/upload", "/plan", "/status", "/logs"]
PAGES += ["/reports", "/login"]


@pytest.fixture
def phone(driver: Any) -> Any:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True},
    )
    yield driver
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )


def test_no_page_is_wider_than_a_phone(phone: Any, site: str) -> None:
    log_in(phone, site, ACCOUNTS[Role.ADMIN], PASSWORD)
    wider = {}
    for path in PAGES:
        phone.get(f"{site}{path}")
        width = phone.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth];"
        )
        if width[0] > width[1] + 1:
            wider[path] = width
    assert wider == {}, f"pages wider than the phone (page, screen): {wider}"
