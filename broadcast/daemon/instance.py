"""One daemon per data folder: an operating-system lock on ``data/daemon.lock``, held for life.

Two daemons on one project would air every slot twice and each would take over the other's
control channel and status file. The lock is the operating system's (``flock`` on POSIX,
``msvcrt.locking`` on Windows), so it ends with the process that holds it: a daemon killed by
SIGKILL or a power cut never blocks the next start, and no stale file has to be judged. The
file also names its holder (process id, since when) for the message a second start prints.
It is never deleted: a new file made while the old one is still open would be a second lock.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from zoneinfo import ZoneInfo

from broadcast.config import DEFAULT_TIMEZONE
from broadcast.paths import ProjectPaths

LOCK_NAME = "daemon.lock"
# Windows locks byte ranges and refuses reads of a locked one: the lock sits on a byte far past
# the holder's record, so a second start can still read who holds it.
_WINDOWS_LOCK_OFFSET = 1 << 30


@dataclass(frozen=True)
class Holder:
    """The daemon that holds the lock, as its file says (``None``: not written yet)."""

    pid: int | None
    started_at: datetime | None


class AlreadyRunning(Exception):
    """Another daemon holds this data folder; ``message`` (Vietnamese) names it."""

    def __init__(self, paths: ProjectPaths, holder: Holder) -> None:
        who = f"tiến trình {holder.pid}" if holder.pid is not None else "một tiến trình khác"
        if holder.started_at is not None:
            who += f", chạy từ {holder.started_at:%d/%m %H:%M}"
        self.holder = holder
        self.message = (
            f"Không khởi động được: một chương trình phát khác đang chạy với cùng thư mục dữ "
            f"liệu {paths.relative(paths.data_dir)}/ ({who}). Hai chương trình cùng chạy sẽ phát "
            "mỗi lượt hai lần; hãy dừng chương trình đang chạy trước (Ctrl+C ở cửa sổ của nó, "
            "hoặc dừng dịch vụ)."
        )
        super().__init__(self.message)


def lock_file(paths: ProjectPaths) -> Path:
    return paths.data_dir / LOCK_NAME


class InstanceLock:
    """``with InstanceLock(paths):`` — the data folder is this process's, or ``AlreadyRunning``."""

    def __init__(self, paths: ProjectPaths) -> None:
        self._paths = paths
        self._descriptor: int | None = None

    def acquire(self) -> Holder:
        """Take the lock and record this process as its holder; ``AlreadyRunning``, or
        ``OSError`` when the folder cannot hold a lock (read-only, no locks on a share)."""
        if self._descriptor is not None:
            raise RuntimeError("instance lock already held")
        path = lock_file(self._paths)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Opened without truncating: the holder's record must survive a refused start.
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            held = not _lock(descriptor)
        except OSError:
            os.close(descriptor)
            raise
        if held:
            os.close(descriptor)
            raise AlreadyRunning(self._paths, _read_holder(path))
        started_at = datetime.now(ZoneInfo(DEFAULT_TIMEZONE))
        holder = Holder(os.getpid(), started_at)
        record = {"pid": holder.pid, "started_at": started_at.isoformat(timespec="seconds")}
        os.ftruncate(descriptor, 0)
        os.lseek(descriptor, 0, os.SEEK_SET)
        os.write(descriptor, (json.dumps(record) + "\n").encode("ascii"))
        self._descriptor = descriptor
        return holder

    def release(self) -> None:
        """Let the next daemon start; closing the file is what releases an OS lock."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def _lock(descriptor: int) -> bool:
    """Lock without waiting: ``False`` when another process holds the lock."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(descriptor, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLOCK):  # the region is locked
                return False
            raise
    else:
        import fcntl

        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
    return True


def _read_holder(path: Path) -> Holder:
    """Who holds the lock; fields missing while the holder is still writing its record."""
    try:
        record = json.loads(path.read_text(encoding="ascii"))
        pid = int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return Holder(None, None)
    try:
        started_at = datetime.fromisoformat(str(record["started_at"]))
    except (ValueError, KeyError):
        started_at = None
    return Holder(pid, started_at)
