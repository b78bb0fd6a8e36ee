"""A Mosquitto of its own on loopback, on the accounts ``broadcast clusters`` made: the broker
``broadcast demo`` runs its IP zone on, started and stopped with the demo.

The station's own files (``data/clusters/passwd`` and ``acl``) are the broker's accounts as they
are; its configuration (one listener on 127.0.0.1, no anonymous client, nothing kept across
runs, a log file) is written in a folder of its own. Production brokers are installed as the
printed steps of ``clusters add`` say (``deploy/linux.md``), never started by this.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

from broadcast.clusters.registry import ClusterFiles

LOOPBACK = "127.0.0.1"
INSTALL_HINT = "sudo apt-get install mosquitto (hoặc: sudo bash deploy/system-deps.sh)"
# Where Mosquitto is when it is nowhere usual; set but empty: take it as not installed.
BINARY_ENV = "BROADCAST_MOSQUITTO"
# Debian installs the broker in sbin, off an ordinary user's PATH; the official Windows
# installer does not add its folder to PATH.
_USUAL = (
    "/usr/sbin/mosquitto",
    "/usr/local/sbin/mosquitto",
    r"C:\Program Files\mosquitto\mosquitto.exe",
)


class BrokerFailed(RuntimeError):
    """The broker did not start; the message (Vietnamese) says why, with its log's end."""


def mosquitto_binary() -> str | None:
    """Where Mosquitto is installed (``BINARY_ENV`` first); ``None`` when it is not."""
    given = os.environ.get(BINARY_ENV)
    if given is not None:
        return given if given and os.access(given, os.X_OK) else None
    found = shutil.which("mosquitto")
    if found is not None:
        return found
    return next((path for path in _USUAL if os.access(path, os.X_OK)), None)


# A port chosen now is listened on later (by Mosquitto, by the station once the broker is up).
# One from the system's ephemeral range may meanwhile become the local end of an outgoing
# connection (2,000 receivers' sessions: the clusters bench lost a run to "Address already in
# use"); below that range only a listener takes a port.
_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_IANA_EPHEMERAL_LOW = 49152  # Windows' and macOS' range starts here
_BELOW_EPHEMERAL = 10_000  # how far below it a port is drawn
_TRIES = 50


def ephemeral_low() -> int:
    """The first port the system hands out to outgoing connections."""
    try:
        return int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return _IANA_EPHEMERAL_LOW


def free_loopback_port() -> int:
    """A TCP port free on loopback now, below the system's ephemeral range (the system's pick
    only if none of a few drawn there is free)."""
    low = ephemeral_low()
    for _ in range(_TRIES):
        port = random.randrange(max(1024, low - _BELOW_EPHEMERAL), low)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((LOOPBACK, port))
            except OSError:
                continue  # taken: another one
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def end_process(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Ask ``process`` to end (SIGTERM: it may close cleanly), kill it if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _listening(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False


class LocalBroker:
    """One Mosquitto process on ``LOOPBACK:port`` with ``files``' accounts; files in ``folder``."""

    def __init__(self, folder: Path, files: ClusterFiles, port: int, binary: str) -> None:
        self.folder = folder
        self.files = files
        self.port = port
        self.binary = binary
        self.conf_file = folder / "mosquitto.conf"
        self.log_file = folder / "mosquitto.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def _config(self) -> str:
        lines = [
            f"listener {self.port} {LOOPBACK}",
            "allow_anonymous false",
            f"password_file {self.files.passwd}",
            f"acl_file {self.files.acl}",
            "persistence false",
            f"log_dest file {self.log_file}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # As root it would drop to the "mosquitto" user, who cannot read the station's
            # 0600 files; a broker on loopback only, for the demo's lifetime.
            lines.append("user root")
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 10.0) -> None:
        """Run the broker; return once it accepts connections (``BrokerFailed`` otherwise)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.conf_file.write_text(self._config(), "utf-8")
        with (self.folder / "stderr.txt").open("wb") as errors:
            self._process = subprocess.Popen(
                [self.binary, "-c", str(self.conf_file)],
                stdin=subprocess.DEVNULL,
                stdout=errors,
                stderr=errors,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            if _listening(self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise BrokerFailed(f"Mosquitto không chạy được trên cổng {self.port}: {self._tail()}")

    def _tail(self) -> str:
        said = []
        for path in (self.log_file, self.folder / "stderr.txt"):
            with contextlib.suppress(OSError):
                said += path.read_text("utf-8", errors="replace").splitlines()[-3:]
        return " | ".join(line.strip() for line in said if line.strip()) or "không có nhật ký"

    def stop(self, timeout: float = 5.0) -> None:
        """End it; nothing to do if it never ran."""
        process, self._process = self._process, None
        if process is not None:
            end_process(process, timeout)

    def __enter__(self) -> LocalBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
