"""A real Mosquitto broker for tests and benchmarks: a free loopback port, a folder of its own.

``MosquittoBroker(root).start()`` writes a configuration (one listener on 127.0.0.1, no anonymous
client, a password file, an ACL, persistence in ``root``, a log file), runs ``mosquitto -c`` and
returns once the broker listens. ``stop`` ends it cleanly (it saves its retained messages and
sessions), ``kill`` ends it as a crash would, ``restart`` brings it back on the same port with
the same persistence, ``reload`` makes it read its password file and ACL again (SIGHUP).

Accounts: ``add_user(name, password, acl_lines)`` for a test's own, or ``install(passwd, acl)``
for files made elsewhere (``broadcast clusters``); both are written together.

``connect(broker, user, password)`` is a paho client, connected, with its messages in a queue.
Also used by ``bench/clusters.py``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt

from broadcast.clusters.broker_files import MAX_QUEUED_MESSAGES, hash_password
from broadcast.clusters.local_broker import free_loopback_port as free_port
from broadcast.clusters.local_broker import mosquitto_binary as find_mosquitto

HOST = "127.0.0.1"
EVERYTHING = ("topic readwrite #",)  # an ACL for a test's own all-seeing account
INSTALL_HINT = (
    "mosquitto is not installed: run `sudo deploy/system-deps.sh --test` (Debian package mosquitto)"
)
_RUNNING_LINE = " running"  # "mosquitto version 2.0.11 running": listeners are open
_RELOAD_LINE = "Reloading config"
_RELOAD_RESEND_SECONDS = 0.5


class MosquittoMissing(RuntimeError):
    pass


def mosquitto_binary() -> str:
    """The broker the product's own demo finds (``local_broker``); the tests need one."""
    found = find_mosquitto()
    if found is None:
        raise MosquittoMissing(INSTALL_HINT)
    return found


class MosquittoBroker:
    """One Mosquitto process, restartable, with its files in ``root``."""

    def __init__(
        self,
        root: Path,
        *,
        port: int | None = None,
        extra_config: Sequence[str] = (),
        max_queued_messages: int | None = MAX_QUEUED_MESSAGES,
    ) -> None:
        """``max_queued_messages``: as the station's broker is configured
        (``broker_files.conf_text``); None for Mosquitto's own default (1,000)."""
        self.root = root
        self.max_queued_messages = max_queued_messages
        self.host = HOST
        self._fixed_port = port is not None
        self.port = port if port is not None else free_port()
        self.extra_config = list(extra_config)
        self.conf_file = root / "mosquitto.conf"
        self.passwd_file = root / "passwd"
        self.acl_file = root / "acl"
        self.log_file = root / "mosquitto.log"
        self.persistence_dir = root / "persistence"
        self._users: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._installed = ("", "")
        self._process: subprocess.Popen[bytes] | None = None

    # --- accounts -------------------------------------------------------------------------

    def add_user(self, name: str, password: str, acl_lines: Iterable[str] = EVERYTHING) -> None:
        """An account with ``acl_lines`` ("topic read x", "topic write y"); read again now if
        the broker runs."""
        self._users[name] = (hash_password(password), tuple(acl_lines))
        self._write_accounts()

    def remove_user(self, name: str) -> None:
        del self._users[name]
        self._write_accounts()

    def install(self, passwd: str | Path, acl: str | Path) -> None:
        """Files made elsewhere (text or a path), kept next to this broker's own accounts."""
        texts = [p.read_text("utf-8") if isinstance(p, Path) else p for p in (passwd, acl)]
        self._installed = (texts[0], texts[1])
        self._write_accounts()

    def _write_accounts(self) -> None:
        passwd = self._installed[0] + "".join(
            f"{name}:{hashed}\n" for name, (hashed, _) in self._users.items()
        )
        acl = self._installed[1] + "".join(
            f"\nuser {name}\n" + "".join(f"{line}\n" for line in lines)
            for name, (_, lines) in self._users.items()
        )
        self.root.mkdir(parents=True, exist_ok=True)
        for path, text in ((self.passwd_file, passwd), (self.acl_file, acl)):
            path.write_text(text, "utf-8")
            path.chmod(0o600)
        if self.running:
            self.reload()

    # --- the process ----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def log(self, since: int = 0) -> str:
        """The broker's log (from byte ``since``: a long bench's log is not read whole)."""
        if not self.log_file.exists():
            return ""
        with self.log_file.open("rb") as file:
            file.seek(since)
            return file.read().decode("utf-8", errors="replace")

    def _log_size(self) -> int:
        return self.log_file.stat().st_size if self.log_file.exists() else 0

    def _write_config(self) -> None:
        self.persistence_dir.mkdir(parents=True, exist_ok=True)
        if not self.passwd_file.exists():
            self._write_accounts()
        lines = [
            f"listener {self.port} {self.host}",
            "allow_anonymous false",
            f"password_file {self.passwd_file}",
            f"acl_file {self.acl_file}",
            "persistence true",
            f"persistence_location {self.persistence_dir}/",
            f"log_dest file {self.log_file}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "connection_messages true",
            "log_timestamp_format %Y-%m-%dT%H:%M:%S",
            *self.extra_config,
        ]
        if self.max_queued_messages is not None:
            lines.append(f"max_queued_messages {self.max_queued_messages}")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            lines.append("user root")  # else it drops to "mosquitto", who cannot read root's files
        self.conf_file.write_text("\n".join(lines) + "\n", "utf-8")

    def start(self, timeout: float = 10.0) -> MosquittoBroker:
        """Run the broker and return once it listens; a free port again if ours was taken
        meanwhile (first start only: a restart keeps its port, which clients know)."""
        binary = mosquitto_binary()
        for _ in range(5):
            since = self._log_size()
            self._write_config()
            if self._launch(binary, timeout):
                return self
            if self._fixed_port or "in use" not in self.log(since):
                break
            self.port = free_port()
        raise RuntimeError(f"mosquitto did not start on port {self.port}:\n{self.log()[-2000:]}")

    def _launch(self, binary: str, timeout: float) -> bool:
        assert not self.running, "mosquitto already runs"
        since = self._log_size()
        stderr = (self.root / "stderr.txt").open("ab")
        self._process = subprocess.Popen(
            [binary, "-c", str(self.conf_file)],
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
        )
        stderr.close()
        _LIVE.add(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            if _RUNNING_LINE in self.log(since) and self._accepts():
                return True
            time.sleep(0.01)
        self.kill()
        return False

    def _accepts(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def reload(self, timeout: float = 5.0) -> None:
        """Read the password file and the ACL again (as ``systemctl reload mosquitto``).
        Returns once the broker has said so: a client connecting after this meets the new
        files (the broker reloads in its one loop, before it reads any further packet)."""
        assert self._process is not None and self.running
        if not hasattr(signal, "SIGHUP"):  # Windows: no signal to reload by
            self.restart()
            return
        since = self._log_size()
        deadline = time.monotonic() + timeout
        sent = 0.0
        while _RELOAD_LINE not in self.log(since):
            if time.monotonic() > deadline:
                raise RuntimeError("mosquitto did not reload its configuration")
            # Sent again while no reload shows: a SIGHUP that comes during the reload before
            # (its line is written first, its flag cleared last) is lost in the broker's loop.
            if time.monotonic() - sent > _RELOAD_RESEND_SECONDS:
                self._process.send_signal(signal.SIGHUP)
                sent = time.monotonic()
            time.sleep(0.01)

    def stop(self, timeout: float = 10.0) -> None:
        """End cleanly: the broker saves retained messages and sessions first."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        _LIVE.discard(self)

    def kill(self) -> None:
        """End as a crash or a power cut would: nothing saved since the last autosave."""
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self._process.kill()
        self._process.wait()
        self._process = None
        _LIVE.discard(self)

    def restart(self, timeout: float = 10.0) -> None:
        """Stopped cleanly and started again on the same port with the same persistence."""
        self.stop()
        self._fixed_port = True
        self.start(timeout)

    def __enter__(self) -> MosquittoBroker:
        return self.start() if not self.running else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


_LIVE: set[MosquittoBroker] = set()


@atexit.register
def _kill_leftovers() -> None:
    for broker in list(_LIVE):
        broker.kill()


# --- a client for tests -------------------------------------------------------------------


class ConnectRefused(RuntimeError):
    """The broker refused the client (wrong password, unknown user) or did not answer."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"connection refused: {reason}")


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    retain: bool
    qos: int


class TestClient:
    """A connected paho client whose received messages wait in ``messages``."""

    __test__ = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, client: mqtt.Client) -> None:
        self.client = client
        self.messages: queue.Queue[Received] = queue.Queue()
        self._subscribed: dict[int, tuple[threading.Event, list[int]]] = {}
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe

    def _on_message(self, _client: mqtt.Client, _userdata: object, msg: mqtt.MQTTMessage) -> None:
        self.messages.put(Received(msg.topic, bytes(msg.payload), bool(msg.retain), msg.qos))

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: object, mid: int, codes: list, _props: object
    ) -> None:
        event, granted = self._subscribed.setdefault(mid, (threading.Event(), []))
        granted.extend(int(code.value) for code in codes)
        event.set()

    def subscribe(self, topic_filter: str, qos: int = 1, timeout: float = 5.0) -> int:
        """Subscribed once the broker says so; returns the granted QoS, 128 when refused."""
        result, mid = self.client.subscribe(topic_filter, qos)
        if result != mqtt.MQTT_ERR_SUCCESS or mid is None:
            raise RuntimeError(f"subscribe failed: {result}")
        event, granted = self._subscribed.setdefault(mid, (threading.Event(), []))
        if not event.wait(timeout):
            raise TimeoutError(f"no SUBACK for {topic_filter}")
        return granted[0]

    def publish(self, topic: str, payload: bytes | str, qos: int = 1, retain: bool = False) -> None:
        """Published and, at QoS 1, acknowledged by the broker (which acknowledges a message
        its ACL drops too: MQTT 3.1.1 has no way to say no)."""
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(timeout=5.0)

    def next_message(self, timeout: float = 5.0) -> Received:
        return self.messages.get(timeout=timeout)

    def quiet_for(self, seconds: float) -> bool:
        """Whether nothing arrived for ``seconds``."""
        try:
            self.messages.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def connect(
    broker: MosquittoBroker,
    username: str,
    password: str,
    *,
    client_id: str | None = None,
    clean_session: bool = True,
    timeout: float = 5.0,
) -> TestClient:
    """A client logged in as ``username``; ``ConnectRefused`` if the broker says no."""
    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id or f"test-{username}-{time.monotonic_ns()}",
        clean_session=clean_session,
    )
    client.username_pw_set(username, password)
    answered = threading.Event()
    outcome: list[str] = []

    def on_connect(
        _client: mqtt.Client, _userdata: object, _flags: object, code: object, _props: object
    ) -> None:
        outcome.append("ok" if not getattr(code, "is_failure", False) else str(code))
        answered.set()

    client.on_connect = on_connect
    wrapped = TestClient(client)
    client.connect(broker.host, broker.port, keepalive=30)
    # The network loop is run here until the broker answers: paho's own thread would wait a
    # second before giving up on a refused login (its reconnect delay).
    deadline = time.monotonic() + timeout
    while not answered.is_set() and time.monotonic() < deadline:
        client.loop(timeout=0.02)
    if not outcome or outcome[0] != "ok":
        client.disconnect()
        raise ConnectRefused(outcome[0] if outcome else "no answer")
    client.on_connect = None
    client.loop_start()
    return wrapped
