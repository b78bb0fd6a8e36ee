"""The console as the tests use it: the small approval ward of ``tests/approval/ward.py``,
one account per role (password ``PASSWORD``), and a logged-in ``TestClient`` per account that
sends the session's CSRF token with every form, as the pages' forms do."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from broadcast.paths import ProjectPaths
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.web.accounts import Accounts, Role
from broadcast.web.app import create_app
from tests.approval.ward import make_ward

PASSWORD = "mat-khau-dai-9"
# one account per role; the approver's name is an approver of the ward's schedules.yaml
ACCOUNTS = {
    Role.EDITOR: "Trần Thị Biên",
    Role.APPROVER: "Lê Văn Chiến",
    Role.TECHNICIAN: "Phạm Văn Kỹ",
    Role.REVIEWER: "Đỗ Thị Kiểm",
    Role.ADMIN: "Quản Trị",
}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_console_ward(root: Path) -> ProjectPaths:
    paths = make_ward(root)
    accounts = Accounts.of(paths)
    now = datetime(2026, 12, 1, 8, 0, tzinfo=WARD_TIMEZONE)
    for role, name in ACCOUNTS.items():
        accounts.add(name, role, PASSWORD, now)
    return paths


class Browser:
    """A ``TestClient`` logged in as one account; ``post`` adds the CSRF token."""

    def __init__(self, paths: ProjectPaths, name: str | None):
        self.client = TestClient(create_app(paths), follow_redirects=False)
        self.token = ""
        if name is not None:
            response = self.login(name, PASSWORD)
            assert response.status_code == 303, response.text

    def login(self, name: str, password: str):
        self.token = _TOKEN.search(self.client.get("/login").text)[1]
        return self.client.post(
            "/login", data={"username": name, "password": password, "csrf_token": self.token}
        )

    def get(self, url: str, **kwargs: Any):
        response = self.client.get(url, **kwargs)
        found = (
            _TOKEN.search(response.text)
            if "text/html" in response.headers.get("content-type", "")
            else None
        )
        if found:
            self.token = found[1]
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any):
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token}, **kwargs)


def browser(paths: ProjectPaths, role: Role | None) -> Browser:
    """Logged in with the account of ``role``; ``None``: not logged in."""
    return Browser(paths, ACCOUNTS[role] if role is not None else None)
