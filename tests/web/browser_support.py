"""The console in a real browser: ``broadcast web`` started as the ward starts it (a
subprocess on a free loopback port) and Debian's Chromium driven headless through Selenium.

Nothing is downloaded: the driver is ``/usr/bin/chromedriver`` passed explicitly and Selenium
Manager is told to stay offline. ``deploy/system-deps.sh --test`` installs both packages; without
them the tests that need a browser are skipped with the command to run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from broadcast.paths import ProjectPaths

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1366, 768
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    f"--window-size={WIDTH},{HEIGHT}",
)
REPO = Path(__file__).resolve().parents[2]


def missing_browser() -> str | None:
    """Why no browser test can run here, or ``None``."""
    for program in (CHROMIUM, CHROMEDRIVER):
        if not os.access(program, os.X_OK):
            return f"{program} missing: run deploy/system-deps.sh --test as root"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def console(paths: ProjectPaths, timeout: float = 30.0) -> Iterator[str]:
    """``broadcast web --listen 127.0.0.1:PORT`` for ``paths``; yields its base URL."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        yield from _serve(paths, port, log, timeout)


def _serve(paths: ProjectPaths, port: int, log: Any, timeout: float) -> Iterator[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "broadcast",
            "--home",
            str(paths.home),
            "web",
            "--listen",
            f"127.0.0.1:{port}",
        ],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/login", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise AssertionError(f"broadcast web did not start:\n{log.read().decode()}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def chromium_options(download_dir: Path | None = None, profile: Path | None = None) -> Any:
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in CHROMIUM_ARGS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={profile or tempfile.mkdtemp(prefix='chromium-')}")
    if download_dir is not None:
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(download_dir),
                "download.prompt_for_download": False,
                "download.directory_upgrade": True,
                "safebrowsing.enabled": False,
            },
        )
    return options


@contextmanager
def chromium(download_dir: Path | None = None) -> Iterator[Any]:
    """A headless Chromium through ``/usr/bin/chromedriver``, in a fresh profile."""
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    driver = webdriver.Chrome(
        options=chromium_options(download_dir, profile), service=Service(CHROMEDRIVER)
    )
    # --window-size counts the window's frame: the page itself gets exactly 1366×768
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    driver.set_page_load_timeout(60)
    if download_dir is not None:  # headless Chromium saves downloads only when told where
        driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior",
            {"behavior": "allow", "downloadPath": str(download_dir)},
        )
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def log_in(driver: Any, base: str, name: str, password: str) -> None:
    """The login form as a person fills it: ``username``, ``password``, the button."""
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/login")
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_until(driver, lambda d: "/login" not in d.current_url, "login did not leave /login")


def wait_until(
    driver: Any, condition: Callable[[Any], Any], message: str, timeout: float = 20.0
) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition, message)


def page_text(driver: Any) -> str:
    """What the page shows ("" while a new page replaces it)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        return str(driver.find_element(By.TAG_NAME, "body").text)
    except (NoSuchElementException, StaleElementReferenceException):
        return ""


def session_get(driver: Any, url: str) -> tuple[int, str, bytes]:
    """GET ``url`` with the browser's session cookie (what the page's own element would
    fetch): status, content type, body."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    request = urllib.request.Request(url, headers={"Cookie": cookies})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.headers.get("content-type", ""), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read()


def wait_for_download(folder: Path, suffix: str, timeout: float = 30.0) -> Path:
    """The file Chromium finished saving in ``folder`` (no ``.crdownload`` left)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        partial = [p for p in folder.iterdir() if p.name.endswith(".crdownload")]
        if done and not partial:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} downloaded; folder has {sorted(folder.iterdir())}")
