"""What the receiver's tests share: a station key, signed messages, audio served over real HTTP
on loopback (by hash, with ``Range``), settings, and a link that records what is published."""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from broadcast.audio.wavfile import SAMPLE_RATE, write_wav
from broadcast.clusters.broker_files import STATION_USER, cluster_acl, station_acl
from broadcast.clusters.messages import AudioRef, PlanEntry, seal
from broadcast.clusters.signing import StationKey
from broadcast.clusters.topics import station_subscriptions, topic
from broadcast.playlog import Attempt
from broadcast.receiver.mqtt_link import ConnectHandler, MessageHandler
from broadcast.receiver.runner import Receiver
from broadcast.receiver.settings import Broker, OutputSettings, ReceiverSettings
from tests.clusters.conftest import mosquitto_broker  # noqa: F401 - the real broker fixture
from tests.support.mosquitto import MosquittoBroker, Received, TestClient, connect

WARD = "phuong-1"
CLUSTER = "tdp1-a"
ZONE = "tdp-1"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_RANGE = re.compile(r"bytes=(\d+)-$")


def now() -> datetime:
    return datetime.now(TZ)


@dataclass
class AudioServer:
    """``GET /audio/<sha256>`` from a folder, honouring ``Range: bytes=N-``."""

    folder: Path
    url: str = ""
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    cut_after: int | None = None  # send only this many body bytes, then drop the connection
    fail_next: int = 0  # answer this many requests 503 first (a station busy with a fan-out)
    server: ThreadingHTTPServer | None = None

    def add(self, seconds: float, frequency: float = 440.0) -> AudioRef:
        t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
        samples = 0.3 * np.sin(2 * np.pi * frequency * t)
        scratch = self.folder / "scratch.wav"
        sha = write_wav(scratch, samples)
        path = self.folder / f"{sha}.wav"
        scratch.replace(path)
        return AudioRef(sha, path.stat().st_size)


def _handler(audio: AudioServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            wanted = self.headers.get("Range")
            audio.requests.append((self.path, wanted))
            if audio.fail_next > 0:
                audio.fail_next -= 1
                self.send_error(503)
                return
            sha = self.path.removeprefix("/audio/")
            path = audio.folder / f"{sha}.wav"
            if not self.path.startswith("/audio/") or not path.is_file():
                self.send_error(404)
                return
            data = path.read_bytes()
            first = 0
            found = _RANGE.match(wanted or "")
            if found:
                first = int(found[1])
                if first >= len(data):
                    self.send_error(416)
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {first}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = data[first:]
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if audio.cut_after is not None:
                self.wfile.write(body[: audio.cut_after])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    return Handler


def serve_audio(folder: Path, tls: ssl.SSLContext | None = None) -> AudioServer:
    """``AudioServer`` on a free loopback port, over HTTPS with ``tls`` (a server context);
    ``stop_audio`` ends it."""
    folder.mkdir(parents=True, exist_ok=True)
    audio = AudioServer(folder)
    server = _QuietServer(("127.0.0.1", 0), _handler(audio))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    audio.server = server
    scheme = "https" if tls is not None else "http"
    audio.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    return audio


def stop_audio(audio: AudioServer) -> None:
    assert audio.server is not None
    audio.server.shutdown()
    audio.server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client refusing the certificate drops the handshake: expected in TLS tests


@pytest.fixture
def audio_server(tmp_path: Path) -> Iterator[AudioServer]:
    audio = serve_audio(tmp_path / "station-audio")
    yield audio
    stop_audio(audio)


@pytest.fixture
def station_key() -> StationKey:
    return StationKey.generate()


@dataclass
class Station:
    """Signs down messages for the test cluster, with a growing ``seq``."""

    key: StationKey
    seq: int = 0

    def message(
        self,
        kind: str,
        body: dict[str, Any],
        *,
        clusters: tuple[str, ...] = (CLUSTER,),
        issued: datetime | None = None,
        seq: int | None = None,
        key: StationKey | None = None,
    ) -> bytes:
        if seq is None:
            self.seq += 1
            seq = self.seq
        return seal(
            key or self.key,
            kind,
            ward=WARD,
            clusters=clusters,
            seq=seq,
            issued=issued or now(),
            body=body,
        )

    def plan(self, entries: list[PlanEntry], **options: Any) -> bytes:
        return self.message("plan", {"entries": [e.to_json() for e in entries]}, **options)


@pytest.fixture
def station(station_key: StationKey) -> Station:
    return Station(station_key)


def entry(
    entry_id: str, start: datetime, audio: AudioRef, seconds: float, title: str = "Bản tin"
) -> PlanEntry:
    item = entry_id.split("#")[0]
    airing = {
        "zone": ZONE,
        "scheduled_at": start.isoformat(),
        "title": title,
        "script_id": f"script-{item}",
        "slot_id": "sang",
        "program": "thoi-su",
        "planned_seconds": seconds,
        "audio_hash": audio.sha256,
    }
    return PlanEntry(entry_id, item, start, seconds, audio, airing)


def make_settings(
    tmp_path: Path,
    station_key: StationKey,
    audio_url: str,
    *,
    broker: Broker | None = None,
    heartbeat_seconds: float = 30.0,
) -> ReceiverSettings:
    return ReceiverSettings(
        cluster=CLUSTER,
        ward=WARD,
        zone=ZONE,
        broker=broker or Broker("127.0.0.1", 1),
        username=CLUSTER,
        password="secret",
        station_keys=(station_key.public,),
        audio_url=audio_url,
        data_dir=tmp_path / "receiver",
        output=OutputSettings(folder=tmp_path / "wav"),
        heartbeat_seconds=heartbeat_seconds,
        timezone=TZ,
    )


@dataclass
class RecordingLink:
    """A ``Link`` with no broker: what the receiver publishes is kept; the test calls
    ``Receiver.handle`` itself."""

    connected: bool = True
    published: list[tuple[str, bytes, bool]] = field(default_factory=list)
    on_connect: Callable[[], None] | None = None

    def start(self, on_message: MessageHandler, on_connect: ConnectHandler) -> None:
        self.on_connect = on_connect
        if self.connected:
            on_connect()

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        self.published.append((topic, payload, retain))

    def stop(self) -> None:
        self.connected = False

    def bodies(self, kind: str) -> list[dict[str, Any]]:
        return [json.loads(p) for t, p, _ in list(self.published) if t.endswith(f"/{kind}")]


def wait_for(condition: Callable[[], object], timeout: float = 10.0, step: float = 0.02) -> Any:
    """``condition()``'s first truthy value, or a failed test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(step)
    raise AssertionError(f"not true within {timeout} s: {condition}")


def soon(seconds: float) -> datetime:
    """An instant ``seconds`` from now, in whole milliseconds (as the play log keeps them)."""
    moment = now() + timedelta(seconds=seconds)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


# -- one receiver driven through its message handler ---------------------------------------


def down(kind: str) -> str:
    return topic(WARD, CLUSTER, kind)


def closed_rows(receiver: Receiver, count: int, timeout: float = 10.0) -> list[Attempt]:
    def done() -> list[Attempt] | None:
        rows = [a for a in receiver.log.attempts() if a.outcome is not None]
        return rows if len(rows) >= count else None

    return sorted(wait_for(done, timeout), key=lambda a: a.id)


@pytest.fixture
def started(tmp_path: Path, audio_server: AudioServer, station_key: StationKey):
    receivers: list[Receiver] = []

    def start(link: RecordingLink | None = None) -> tuple[Receiver, RecordingLink]:
        link = link or RecordingLink()
        settings = make_settings(tmp_path, station_key, audio_server.url, heartbeat_seconds=0.5)
        receiver = Receiver(settings, link=link, retry_max=0.5)
        receiver.start()
        receivers.append(receiver)
        return receiver, link

    yield start
    for receiver in receivers:
        receiver.stop()


# -- a real broker with the accounts ``broadcast clusters`` makes --------------------------

CLUSTER_PASSWORD = "mat-khau-cum"
STATION_PASSWORD = "mat-khau-dai"


@pytest.fixture
def broker(mosquitto_broker: MosquittoBroker) -> MosquittoBroker:  # noqa: F811
    mosquitto_broker.add_user(CLUSTER, CLUSTER_PASSWORD, cluster_acl(WARD, CLUSTER))
    mosquitto_broker.add_user(STATION_USER, STATION_PASSWORD, station_acl(WARD))
    return mosquitto_broker


def station_client(broker: MosquittoBroker) -> TestClient:
    client = connect(broker, STATION_USER, STATION_PASSWORD)
    for name in station_subscriptions(WARD):
        client.subscribe(name)
    return client


def up_messages(client: TestClient, kind: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Everything the station got on ``kind`` until the first one (then what else waits)."""
    found: list[Received] = []

    def got() -> bool:
        while not client.messages.empty():
            message = client.messages.get()
            if message.topic.endswith(f"/{kind}"):
                found.append(message)
        return bool(found)

    wait_for(got, timeout)
    return [json.loads(m.payload) for m in found]
