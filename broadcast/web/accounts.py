"""The console's accounts: who may log in, with which role, and the failed logins.

Kept in their own SQLite file in the data folder (``accounts.sqlite3``), never in the play log:
an account is not an event of the air. Passwords are hashed with Argon2id (argon2-cffi); the
clear text is never stored nor logged. Every write is one transaction.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from broadcast.paths import ProjectPaths

ACCOUNTS_NAME = "accounts.sqlite3"
_HASHER = PasswordHasher()
MIN_PASSWORD = 8


class Role(StrEnum):
    EDITOR = "editor"  # upload, edit front matter, listen
    APPROVER = "approver"  # also approve and revoke
    TECHNICIAN = "technician"  # status, test zone, announce, devices
    REVIEWER = "reviewer"  # logs, verify, reconcile, reports
    ADMIN = "admin"  # accounts, and everything else

    @property
    def label_vi(self) -> str:
        return ROLE_LABELS_VI[self]


ROLE_LABELS_VI = {
    Role.EDITOR: "biên tập viên",
    Role.APPROVER: "người duyệt",
    Role.TECHNICIAN: "kỹ thuật viên",
    Role.REVIEWER: "người kiểm tra",
    Role.ADMIN: "quản trị",
}


class Permission(StrEnum):
    VIEW = "view"  # scripts, a script's page, the plan
    UPLOAD = "upload"  # add or replace a script
    LISTEN = "listen"  # play the rendered audio, say it was heard
    APPROVE = "approve"  # approve and revoke
    AIR = "air"  # status page actions: announce, test a zone
    STATUS = "status"
    LOGS = "logs"  # logs, verify
    REPORTS = "reports"
    USERS = "users"


_EDITOR = {Permission.VIEW, Permission.UPLOAD, Permission.LISTEN}
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.EDITOR: frozenset(_EDITOR),
    Role.APPROVER: frozenset(_EDITOR | {Permission.APPROVE}),
    Role.TECHNICIAN: frozenset({Permission.VIEW, Permission.STATUS, Permission.AIR}),
    Role.REVIEWER: frozenset({Permission.VIEW, Permission.LOGS, Permission.REPORTS}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True)
class Account:
    name: str  # NFC, as given
    role: Role
    created_at: str

    def may(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]


class AccountError(ValueError):
    """A refused change to the accounts, said in Vietnamese."""


_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS accounts (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS failed_logins (
        name TEXT NOT NULL,
        at TEXT NOT NULL,
        peer TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS failed_logins_name ON failed_logins (name, at)",
)


def accounts_path(paths: ProjectPaths) -> Path:
    return paths.data_dir / ACCOUNTS_NAME


def account_name(text: str) -> str:
    """A name as stored and compared: NFC, spaces squeezed (case kept, as typed)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class Accounts:
    """The accounts file of one project."""

    def __init__(self, path: Path):
        self._path = path

    @classmethod
    def of(cls, paths: ProjectPaths) -> Accounts:
        paths.make_private_data_dir()
        return cls(accounts_path(paths))

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self._path, isolation_level=None, timeout=5)) as conn:
            for statement in _SCHEMA:
                conn.execute(statement)
            yield conn

    # -- accounts ------------------------------------------------------------------------

    def add(self, name: str, role: Role, password: str, now: datetime) -> Account:
        name = account_name(name)
        if not name:
            raise AccountError("tên tài khoản trống")
        _check_password(password)
        with self._connection() as conn:
            try:
                conn.execute(
                    "INSERT INTO accounts (name, role, password_hash, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (name, role.value, _HASHER.hash(password), now.isoformat(timespec="seconds")),
                )
            except sqlite3.IntegrityError as exc:
                raise AccountError(f'tài khoản "{name}" đã có') from exc
        return Account(name, role, now.isoformat(timespec="seconds"))

    def remove(self, name: str) -> None:
        with self._connection() as conn:
            if (
                conn.execute("DELETE FROM accounts WHERE name = ?", (account_name(name),)).rowcount
                == 0
            ):
                raise AccountError(f'không có tài khoản "{account_name(name)}"')

    def set_password(self, name: str, password: str) -> None:
        _check_password(password)
        with self._connection() as conn:
            changed = conn.execute(
                "UPDATE accounts SET password_hash = ? WHERE name = ?",
                (_HASHER.hash(password), account_name(name)),
            ).rowcount
            if changed == 0:
                raise AccountError(f'không có tài khoản "{account_name(name)}"')

    def all(self) -> list[Account]:
        with self._connection() as conn:
            rows = conn.execute("SELECT name, role, created_at FROM accounts ORDER BY name")
            return [Account(name, Role(role), at) for name, role, at in rows.fetchall()]

    def get(self, name: str) -> Account | None:
        return next((a for a in self.all() if a.name == account_name(name)), None)

    def check(self, name: str, password: str) -> Account | None:
        """The account if ``password`` is its password; ``None`` otherwise (an unknown name
        costs a hash too, so timing does not tell which names exist)."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT name, role, password_hash, created_at FROM accounts WHERE name = ?",
                (account_name(name),),
            ).fetchone()
        if row is None:
            _HASHER.hash(password)
            return None
        stored_name, role, stored_hash, created_at = row
        try:
            _HASHER.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if _HASHER.check_needs_rehash(stored_hash):
            self.set_password(stored_name, password)
        return Account(stored_name, Role(role), created_at)

    # -- failed logins -------------------------------------------------------------------

    def note_failure(self, name: str, peer: str | None, now: datetime) -> None:
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO failed_logins (name, at, peer) VALUES (?, ?, ?)",
                (account_name(name), now.isoformat(), peer),
            )

    def recent_failures(self, name: str, now: datetime, window: timedelta) -> int:
        with self._connection() as conn:
            return int(
                conn.execute(
                    "SELECT COUNT(*) FROM failed_logins WHERE name = ? AND at >= ?",
                    (account_name(name), (now - window).isoformat()),
                ).fetchone()[0]
            )

    def clear_failures(self, name: str) -> None:
        with self._connection() as conn:
            conn.execute("DELETE FROM failed_logins WHERE name = ?", (account_name(name),))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự")
