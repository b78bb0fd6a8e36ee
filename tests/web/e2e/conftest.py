"""Fixtures for the end-to-end tests: the console ward served by ``broadcast web`` and a
headless Chromium. Every test here is ``slow`` (a browser and a server start each time)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from broadcast.paths import ProjectPaths
from tests.web.browser_support import chromium, console, missing_browser
from tests.web.console import make_console_ward


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def ward(tmp_path: Path) -> ProjectPaths:
    folder = tmp_path / "ward"
    folder.mkdir()
    return make_console_ward(folder)


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def driver(downloads: Path) -> Iterator[Any]:
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    with chromium(downloads) as browser:
        yield browser


@pytest.fixture
def site(ward: ProjectPaths) -> Iterator[str]:
    with console(ward) as base:
        yield base
