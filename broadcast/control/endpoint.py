"""Where clients find the running daemon: ``data/control.json`` and ``data/control.token``.

The daemon writes both at start and removes them at a clean stop. The token file is created
fresh each start, readable by its owner only, so a command can talk to the daemon only when it
runs as the same user (or root). After a crash the files stay behind; clients notice because
nobody answers on the recorded port. Only the daemon holding the data folder's lock
(``broadcast.daemon.instance``) writes or removes them, so a refused second start never does.
"""

from __future__ import annotations

import getpass
import ipaddress
import json
import logging
import os
import secrets
import subprocess
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcast.config import DEFAULT_TIMEZONE
from broadcast.paths import ProjectPaths

ENDPOINT_FILE = "control.json"
TOKEN_FILE = "control.token"
TOKEN_BYTES = 32  # 256 bits of randomness, 43 URL-safe characters

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoint:
    """What ``control.json`` records about a running daemon."""

    host: str
    port: int
    pid: int
    started_at: str  # ISO 8601 with offset, ward time

    def to_json(self) -> dict[str, object]:
        return asdict(self)


class EndpointMissing(Exception):
    """``control.json`` or the token is absent or unusable; the message (Vietnamese) says which."""


def require_loopback(host: str) -> None:
    """Refuse anything but an IPv4 loopback address: the channel must not reach the network."""
    try:
        loopback = ipaddress.IPv4Address(host).is_loopback
    except ValueError:
        loopback = False  # a name such as "localhost" could resolve anywhere
    if not loopback:
        raise ValueError(
            f'kênh điều khiển chỉ được mở trên địa chỉ nội bộ 127.0.0.1, không phải "{host}"'
        )


def endpoint_file(paths: ProjectPaths) -> Path:
    return paths.data_dir / ENDPOINT_FILE


def token_file(paths: ProjectPaths) -> Path:
    return paths.data_dir / TOKEN_FILE


def create_token(paths: ProjectPaths) -> str:
    """A fresh random token in a new file that only its owner can read.

    The file is created with its final mode by ``os.open`` (``O_EXCL``, after removing an old
    one), so there is no moment when the secret sits in a file others may read, and ``O_EXCL``
    refuses a symlink planted in its place instead of following it. On Windows POSIX modes mean
    nothing; see ``_restrict_to_owner_on_windows``.
    """
    path = token_file(paths)
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with os.fdopen(descriptor, "w", encoding="ascii") as stream:
        if os.name == "nt":
            _restrict_to_owner_on_windows(path)  # before the secret is written
        stream.write(token)
    return token


def _restrict_to_owner_on_windows(path: Path) -> None:
    """Drop inherited access and grant the current user alone, with Windows' own ``icacls``.

    A failure is logged, not raised: the ward must still be able to broadcast, and the channel
    stays limited to this computer either way.
    """
    command = ["icacls", str(path), "/inheritance:r", "/grant:r", f"{getpass.getuser()}:F"]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("control_token_acl_failed", extra={"path": str(path), "error": str(exc)})


def write_endpoint(paths: ProjectPaths, host: str, port: int) -> Endpoint:
    """Record where the daemon listens; replaced atomically so a client never reads half a file."""
    started_at = datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).isoformat(timespec="seconds")
    endpoint = Endpoint(host=host, port=port, pid=os.getpid(), started_at=started_at)
    path = endpoint_file(paths)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(endpoint.to_json(), indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return endpoint


def remove_endpoint(paths: ProjectPaths, endpoint: Endpoint) -> None:
    """Remove both files at a clean stop, unless a newer daemon has already replaced them."""
    try:
        current = read_endpoint(paths)
    except EndpointMissing:
        current = None
    if current is not None and current.pid == endpoint.pid and current.port == endpoint.port:
        endpoint_file(paths).unlink(missing_ok=True)
        token_file(paths).unlink(missing_ok=True)


def read_endpoint(paths: ProjectPaths) -> Endpoint:
    """``EndpointMissing`` when absent or corrupt; ``PermissionError`` when not ours to read."""
    path = endpoint_file(paths)
    shown = paths.relative(path)
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
        endpoint = Endpoint(
            host=str(fields["host"]),
            port=int(fields["port"]),
            pid=int(fields["pid"]),
            started_at=str(fields["started_at"]),
        )
    except FileNotFoundError as exc:
        raise EndpointMissing(f"daemon không chạy (không có tệp {shown})") from exc
    except (ValueError, TypeError, KeyError) as exc:  # other OSErrors (permission) go up
        raise EndpointMissing(f"daemon không chạy ({shown} bị hỏng)") from exc
    try:  # never send the token anywhere but this computer, whatever the file says
        require_loopback(endpoint.host)
    except ValueError as exc:
        raise EndpointMissing(f"{shown} không hợp lệ: {exc}") from exc
    return endpoint


def read_token(paths: ProjectPaths) -> str:
    """The running daemon's token; ``PermissionError`` when this user may not read it."""
    path = token_file(paths)
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError as exc:
        shown = paths.relative(path)
        raise EndpointMissing(f"daemon không chạy (không có tệp {shown})") from exc
