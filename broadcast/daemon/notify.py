"""systemd's service protocol (``sd_notify``): ready, alive, stopping, and a status line.

Under a ``Type=notify`` unit systemd passes the address of its socket in ``NOTIFY_SOCKET``. The
daemon sends READY=1 once on air, WATCHDOG=1 after every heartbeat that came back (a hung
heartbeat goes silent, and ``WatchdogSec=`` restarts the daemon), STOPPING=1 when it begins to
stop, and STATUS=<one line> for ``systemctl status``. Each message is one datagram on an
AF_UNIX socket, as libsystemd sends it, so the standard library is enough. Without the variable
(a console, a Windows scheduled task) every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import sys

from broadcast.daemon.status import DaemonState, DaemonStatus

logger = logging.getLogger("broadcast.daemon")

READY = "READY=1"
WATCHDOG = "WATCHDOG=1"
STOPPING = "STOPPING=1"
STATUS = "STATUS="


def socket_address(value: str) -> str | None:
    """The address to send to, from ``NOTIFY_SOCKET``; ``None`` when there is none we can use.

    A leading ``@`` names Linux's abstract namespace (a NUL byte on the wire). Other forms
    (``vsock:`` for virtual machines) are not for a ward's PC."""
    if not value or sys.platform == "win32":
        return None
    if value.startswith("@"):
        return "\0" + value[1:]
    return value if value.startswith("/") else None


class SystemdNotifier:
    """Sends ``sd_notify`` messages; never raises, since systemd's absence must not stop air."""

    def __init__(self, address: str | None):
        self.address = address
        self._last_status: str | None = None
        self._failing = False  # warned once per run of failures, not at every heartbeat

    @classmethod
    def from_environment(cls) -> SystemdNotifier:
        value = os.environ.get("NOTIFY_SOCKET", "")
        address = socket_address(value)
        if value and address is None and sys.platform != "win32":
            logger.warning(
                "NOTIFY_SOCKET=%s: không dùng được địa chỉ này, không báo trạng thái cho systemd",
                value,
                extra={"event": "sd_notify_unsupported"},
            )
        return cls(address)

    def ready(self) -> None:
        self._send(READY)

    def watchdog(self) -> None:
        self._send(WATCHDOG)

    def stopping(self) -> None:
        self._send(STOPPING)

    def status(self, line: str) -> None:
        """The one line ``systemctl status`` shows; sent only when it changed."""
        line = " ".join(line.split())  # a newline would start another KEY=value
        if line != self._last_status:
            self._last_status = line
            self._send(STATUS + line)

    def _send(self, message: str) -> None:
        if self.address is None:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto(message.encode("utf-8"), self.address)
        except OSError as exc:
            if not self._failing:
                logger.warning(
                    "không gửi được trạng thái cho systemd: %s",
                    exc,
                    extra={"event": "sd_notify_failed"},
                )
            self._failing = True
            return
        self._failing = False


def status_line(status: DaemonStatus) -> str:
    """What the daemon is doing, in one line of Vietnamese for ``systemctl status``."""
    if status.state is DaemonState.STOPPED:
        return "Đã dừng"
    slots = list(dict.fromkeys(playing.slot for playing in status.playing))
    parts = [f"Đang phát: {', '.join(slots)}" if slots else "Đang phát: không có"]
    upcoming = [entries[0] for entries in status.next.values() if entries]
    if upcoming:
        first = min(upcoming, key=lambda segment: segment.at)
        parts.append(f"sắp phát {first.at:%d/%m %H:%M} {first.slot}")
    if status.alarms:
        parts.append(f"cảnh báo: {len(status.alarms)} ({status.alarms[0].message})")
    else:
        parts.append("không có cảnh báo")
    return "; ".join(parts)
