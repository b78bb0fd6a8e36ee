"""Makes docs/screenshots/*.png: every page of the web console at 1366×768, as a ward sees it.

The sample ward (this repository's schedules.yaml, lexicon.yaml and scripts_vi/, copied) gets
a short play log as its daemon writes one (docs/sample_report.py's, from 28/11 to 04/12/2026),
approvals of a few scripts by the head of the board (``broadcast approve``, approval stays
required), and one account per role. ``broadcast web`` serves it on a free loopback port and
Debian's headless Chromium (``deploy/system-deps.sh --test``) logs in as the admin, who sees
every page, and saves each page's first screen. The daemon runs beside it, writing WAV files
instead of playing (tests/daemon/daemon_project.py), so the status page shows it alive with
what comes next on each zone.

Run from the project root: ``.venv/bin/python docs/screenshots.py``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
sys.path.insert(0, str(REPOSITORY / "docs"))

import sample_report  # noqa: E402  (docs/sample_report.py: the sample ward and its log)
from selenium.webdriver.common.by import By  # noqa: E402

from broadcast.paths import ProjectPaths  # noqa: E402
from broadcast.playlog.store import WARD_TIMEZONE  # noqa: E402
from broadcast.web.accounts import Accounts, Role  # noqa: E402
from tests.daemon.daemon_project import start_to_files  # noqa: E402
from tests.web.browser_support import chromium, console, log_in, wait_until  # noqa: E402

FOLDER = REPOSITORY / "docs" / "screenshots"
HEAD = "Lê Văn Chiến"  # an approver of the sample's schedules.yaml
ADMIN, PASSWORD = "Quản Trị", "mat-khau-dai-9"
APPROVED = [
    "2026-11/dang-ky-ho-kinh-doanh",
    "2026-11/dich-vu-cong-muc-do-3-4",
    "2026-11/bo-phan-mot-cua-phuong",
    "2026-11/thu-tuc-dat-dai",
    "2026-12/hoi-nghi-doi-thoai-cchc",
]
ACCOUNTS = {
    ADMIN: Role.ADMIN,
    "Trần Thị Biên": Role.EDITOR,
    HEAD: Role.APPROVER,
    "Phạm Văn Kỹ": Role.TECHNICIAN,
    "Đỗ Thị Kiểm": Role.REVIEWER,
}
# (file name, path) — the script's own page is found on the scripts page
PAGES = [
    ("2-bai-phat.png", "/scripts"),
    ("4-lich-phat.png", "/plan"),
    ("5-trang-thai.png", "/status"),
    ("6-nhat-ky.png", "/logs"),
    ("7-bao-cao.png", "/reports?kind=quarter&year=2026&number=4&show=1"),
]


def broadcast(home: Path, *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "broadcast", "--home", str(home), *arguments],
        check=True,
        cwd=REPOSITORY,
        capture_output=True,
    )


def make_ward(home: Path) -> ProjectPaths:
    paths = sample_report.sample_ward(home)  # approval off while the made-up log is written
    sample_report.FIRST_DAY = date(2026, 11, 28)
    sample_report.write_log(paths)
    schedules = paths.schedules_file
    text = schedules.read_text(encoding="utf-8")
    schedules.write_text(
        text.replace("\napproval: off\n", "\napproval: required\n"), encoding="utf-8"
    )
    broadcast(home, "approve", *APPROVED, "--by", HEAD, "--comment", "Đồng ý phát")
    accounts = Accounts.of(paths)
    now = datetime.now(WARD_TIMEZONE)
    for name, role in ACCOUNTS.items():
        accounts.add(name, role, PASSWORD, now)
    return paths


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        home = Path(work) / "ward"
        home.mkdir()
        paths = make_ward(home)
        daemon = start_to_files(paths, sink_label="files:heard")
        try:
            take(paths)
        finally:
            daemon.stop()


def take(paths: ProjectPaths) -> None:
    with console(paths, timeout=120) as base, chromium() as driver:
        driver.get(f"{base}/login")
        driver.save_screenshot(str(FOLDER / "1-dang-nhap.png"))
        log_in(driver, base, ADMIN, PASSWORD)
        for name, path in PAGES:
            driver.get(f"{base}{path}")
            if path == "/status":  # the live part comes from the running daemon
                wait_until(driver, lambda d: "ĐANG CHẠY" in d.page_source, "no daemon", 120)
            driver.save_screenshot(str(FOLDER / name))
            print(f"đã ghi docs/screenshots/{name}")
            if path == "/scripts":
                script_page(driver)


def script_page(driver: Any) -> None:
    """The first approved script's page, reached from its row in the table."""
    links = driver.find_elements(By.CSS_SELECTOR, f'a[href$="{APPROVED[0]}"]')
    if not links:
        print(f"trang /scripts không có liên kết tới {APPROVED[0]}")
        return
    driver.get(links[0].get_attribute("href"))
    driver.save_screenshot(str(FOLDER / "3-mot-bai.png"))
    print("đã ghi docs/screenshots/3-mot-bai.png")


if __name__ == "__main__":
    main()
