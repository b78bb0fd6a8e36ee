"""What can go wrong with the log's file, in words a technician can act on.

Two kinds, handled apart: a file that cannot be *read* as this program's log (garbage bytes,
a dropped table, a newer schema) is ``PlayLogUnreadable``, a clear verdict for every reading
command and, for the daemon, the reason to move the file aside and start a new one
(``salvage``); a *write* the storage refuses (a full disk, an I/O error) is a
``storage_fault``: the air goes on and the write waits in memory (``pending``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_VERDICTS = {
    sqlite3.SQLITE_NOTADB: "tệp không phải cơ sở dữ liệu SQLite (đã bị ghi đè hoặc hỏng)",
    sqlite3.SQLITE_CORRUPT: "tệp bị hỏng bên trong (SQLite: database disk image is malformed)",
    sqlite3.SQLITE_FULL: "ổ đĩa đầy",
}
# SQLite's codes for a file that is at fault itself (garbage, damaged pages, tables that do
# not match); the others (a full disk, I/O, permissions, a lock) are about what holds it.
_DAMAGE = frozenset({sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_ERROR})


class PlayLogUnreadable(RuntimeError):
    """The play log's file cannot be read as this program's log; the message is Vietnamese.
    ``damaged``: the file itself is at fault, not the disk under it (the daemon moves it
    aside and starts a new one)."""

    def __init__(self, message: str, *, damaged: bool = True):
        super().__init__(message)
        self.damaged = damaged


def unreadable(path: Path, why: str, *, damaged: bool = True) -> PlayLogUnreadable:
    return PlayLogUnreadable(f"nhật ký phát {path} không đọc được: {why}", damaged=damaged)


def sqlite_unreadable(path: Path, exc: sqlite3.Error) -> PlayLogUnreadable:
    """SQLite's refusal to read the log, as a verdict; damage or not, by its code."""
    code = getattr(exc, "sqlite_errorcode", sqlite3.SQLITE_ERROR) & 0xFF
    return unreadable(path, sqlite_verdict(exc), damaged=code in _DAMAGE)


def sqlite_verdict(exc: BaseException) -> str:
    """Why SQLite refused, in Vietnamese where the code is a known one; else its own words."""
    code = getattr(exc, "sqlite_errorcode", None)
    found = _VERDICTS.get(code & 0xFF) if code is not None else None
    return found or f"lỗi SQLite: {exc}"


def damaged_pages(conn: sqlite3.Connection) -> str | None:
    """SQLite's check of every page of the file (``quick_check``): what is damaged, else
    ``None``. It reads the whole file (bench/playlog.py times it)."""
    check = conn.execute("PRAGMA quick_check").fetchone()[0]
    if check == "ok":
        return None
    # one line for the technician: SQLite lists every bad cell under a "*** in database" line
    found = [line for line in check.splitlines() if line and not line.startswith("***")]
    more = " …" if len(found) > 1 else ""
    return f"tệp bị hỏng bên trong (SQLite: {found[0] if found else check}{more})"


def storage_fault(exc: BaseException) -> bool:
    """Whether a write failed on the storage or the file (full disk, I/O, a lock, a damaged or
    altered file) rather than on the values written: it may succeed later, and the air must
    not wait for it. A refused value (``IntegrityError``) is a bug and is raised as before."""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError
