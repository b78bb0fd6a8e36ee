"""The demo's IP zone: one loudspeaker cluster on this PC, heard beside the wired zones.

On the demo's copy of the ward (never the ward itself): a zone ``output: ip`` in every slot and
``ip_clusters:`` on loopback (``demo_ip_ward``); one cluster registered by the real ``broadcast
clusters add`` on the rehearsal's data folder; a real Mosquitto on the accounts that command
made (``clusters.local_broker``); and a ``broadcast receiver`` process on the ``receiver.yaml``
it wrote, its sound going to WAV files under ``demo_out/``. The rehearsal then sends the
cluster its own timetable as the signed plan (``daemon.ip_setup``): the receiver plays it at
the same seconds as the wired zones, by its own clock, and its as-played rows come back into
the rehearsal's log.

Both processes end with the demo, on Ctrl+C or an error too. Without Mosquitto the demo says
so and how to install it, and goes on without the IP zone: a missing broker never fails it.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from broadcast.cli.demo_ip_ward import ZONE_ID, ZONE_NAME, IpZonePorts, WardNotEditable, add_ip_zone
from broadcast.clusters.credentials import write_private
from broadcast.clusters.local_broker import (
    INSTALL_HINT,
    BrokerFailed,
    LocalBroker,
    end_process,
    free_loopback_port,
    mosquitto_binary,
)
from broadcast.clusters.registry import ClusterFiles
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog, database_path

CLUSTER_ID = "demo-1"
CLUSTER_NAME = "Cụm loa IP chạy thử"
BROKER_FOLDER = "broker"  # under the demo folder: the broker's configuration and log
RECEIVER_FOLDER = "receiver"  # the receiver's data (its plan, audio, own log) and console
IP_WAV_FOLDER = "wav-ip"  # the cluster's sound
CONNECTED_EVENT = "[mqtt_connected]"  # the receiver's console line once the broker let it in
CONNECT_SECONDS = 30.0  # a receiver starts in a second or two; a loaded PC may take longer
STOP_SECONDS = 10.0

Command = Callable[..., int]  # ``demo._command``: a subcommand as typed, on some paths


def _say(text: str) -> None:
    print(text, flush=True)


def skipped(why: str) -> None:
    """Say that the IP part is left out, and why: the rest of the demo runs all the same."""
    _say(f"CHÚ Ý: bỏ qua phần cụm loa IP của buổi chạy thử: {why}. Các phần khác vẫn chạy.")


def add_to_copy(demo: Path, ward: ProjectPaths) -> IpZonePorts | str:
    """The IP zone in the copy's timetable (said), or why there is none."""
    for folder in (IP_WAV_FOLDER, RECEIVER_FOLDER, BROKER_FOLDER):
        shutil.rmtree(demo / folder, ignore_errors=True)  # a demo before this one's
    if mosquitto_binary() is None:
        return (
            "máy này chưa cài Mosquitto (máy chủ MQTT mà cụm loa IP nhận lịch phát qua). "
            f"Cài bằng: {INSTALL_HINT}"
        )
    broker = free_loopback_port()
    audio = free_loopback_port()
    while audio == broker:
        audio = free_loopback_port()
    ports = IpZonePorts(broker, audio)
    try:
        add_ip_zone(ward, ports)
    except WardNotEditable as exc:
        return str(exc)
    _say(
        f"Bản sao có thêm khu vực {ZONE_ID} ({ZONE_NAME}) trong mọi khung giờ, phát qua cụm "
        f"loa IP {CLUSTER_ID} chạy ngay trên máy này, và mục ip_clusters: máy chủ MQTT "
        f"127.0.0.1:{broker}, âm thanh tải từ http://127.0.0.1:{audio}."
    )
    return ports


class IpZoneDemo:
    """The broker and the receiver of the demo's IP zone; ``stop`` ends whatever was started."""

    def __init__(
        self, home: ProjectPaths, demo: Path, ward: ProjectPaths, rehearsal: ProjectPaths, port: int
    ):
        self.home = home  # the ward's own folder: paths are shown from there
        self.demo = demo
        self.ward = ward
        self.rehearsal = rehearsal
        self.files = ClusterFiles.under(rehearsal.data_dir)
        self.wav_folder = demo / IP_WAV_FOLDER
        self.receiver_folder = demo / RECEIVER_FOLDER
        self.console = self.receiver_folder / "console.log"
        self.port = port
        self.broker: LocalBroker | None = None
        self.receiver: subprocess.Popen[bytes] | None = None

    def start(self, command: Command) -> bool:
        """Register the cluster, start the broker and the receiver; ``False`` (said why, all
        stopped, the cluster unregistered) when the IP part cannot run."""
        if self._start(command):
            return True
        self.stop()
        shutil.rmtree(self.files.root, ignore_errors=True)  # the rehearsal plans no cluster
        return False

    def _start(self, command: Command) -> bool:
        if not self._register(command):
            return False
        binary = mosquitto_binary()
        if binary is None:  # removed since the copy was made
            skipped(f"không còn thấy Mosquitto. Cài bằng: {INSTALL_HINT}")
            return False
        self.broker = LocalBroker(self.demo / BROKER_FOLDER, self.files, self.port, binary)
        try:
            self.broker.start()
        except BrokerFailed as exc:
            self.broker = None
            skipped(str(exc))
            return False
        _say(
            f"Máy chủ MQTT: Mosquitto (tiến trình {self.broker.pid}) trên 127.0.0.1:{self.port}, "
            "chỉ nhận tài khoản do broadcast clusters add tạo (mỗi cụm loa chỉ đọc kênh của "
            "mình và âm thanh bản tin đài đẩy chung cho phường); cấu hình và nhật ký trong "
            f"{self._shown(self.broker.folder)}/."
        )
        return self._start_receiver()

    def _register(self, command: Command) -> bool:
        """``broadcast clusters add`` on the rehearsal's data folder, as a technician types it
        (its output holds the cluster's password: kept in the 0600 file, not printed)."""
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            status = command(
                self.rehearsal, "clusters", "add", CLUSTER_ID, "--name", CLUSTER_NAME,
                "--zone", ZONE_ID,
            )  # fmt: skip
        config = self.files.receiver_config(CLUSTER_ID)
        if status != 0 or not config.is_file():
            skipped(f"broadcast clusters add không thành công: {printed.getvalue().strip()}")
            return False
        settings = yaml.safe_load(config.read_text("utf-8"))
        settings["data"] = str(self.receiver_folder / "data")
        settings["output"] = {"file": str(self.wav_folder)}  # WAV files, not the sound card
        header = (
            "# receiver.yaml do broadcast clusters add tạo cho buổi chạy thử; data và output\n"
            "# đã đổi để bộ thu ghi âm thanh ra tệp WAV trong demo_out/.\n"
        )
        body = yaml.safe_dump(settings, allow_unicode=True, sort_keys=False)
        write_private(config, header + body)
        _say(
            f"Cụm loa {CLUSTER_ID} ({CLUSTER_NAME}) được đăng ký bằng broadcast clusters add "
            f"cho khu vực {ZONE_ID}: tài khoản MQTT riêng, khóa công khai của đài, tệp cấu hình "
            f"{self._shown(config)}."
        )
        return True

    def _start_receiver(self) -> bool:
        config = self.files.receiver_config(CLUSTER_ID)
        argv = [sys.executable, "-m", "broadcast", "--home", str(self.ward.home), "receiver"]
        self.receiver_folder.mkdir(parents=True, exist_ok=True)
        with self.console.open("wb") as console:
            self.receiver = subprocess.Popen(
                [*argv, "--config", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=console,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = time.monotonic() + CONNECT_SECONDS
        while time.monotonic() < deadline and self.receiver.poll() is None:
            if CONNECTED_EVENT in self._console():
                _say(
                    f"Bộ thu: broadcast receiver --config {self._shown(config)} (tiến trình "
                    f"{self.receiver.pid}) đã nối máy chủ MQTT; âm thanh ghi ra tệp WAV trong "
                    f"{self._shown(self.wav_folder)}/, nhật ký riêng của nó trong "
                    f"{self._shown(self.receiver_folder)}/."
                )
                return True
            time.sleep(0.1)
        tail = " | ".join(self._console().strip().splitlines()[-3:]) or "không in gì"
        self.stop()
        skipped(f"bộ thu không nối được máy chủ MQTT ({tail})")
        return False

    def _console(self) -> str:
        try:
            return self.console.read_text("utf-8", errors="replace")
        except OSError:
            return ""

    def _shown(self, path: Path) -> str:
        return self.home.relative(path)

    def stop(self) -> None:
        """The receiver first (it says "offline" and sends its last rows), then the broker."""
        receiver, self.receiver = self.receiver, None
        if receiver is not None:
            end_process(receiver, STOP_SECONDS)
        broker, self.broker = self.broker, None
        if broker is not None:
            broker.stop()

    def report(self) -> None:
        """What the cluster played, as its WAV files and as rows in the rehearsal's log."""
        written = len(list(self.wav_folder.glob("*.wav"))) if self.wav_folder.is_dir() else 0
        rows = 0
        if database_path(self.rehearsal).exists():
            with PlayLog.open_for_reading(self.rehearsal) as log:
                rows = sum(1 for a in log.attempts() if a.airing.zone == ZONE_ID)
        _say(
            f"Cụm loa IP {CLUSTER_ID} đã ghi {written} tệp WAV vào "
            f"{self._shown(self.wav_folder)}/; nhật ký phát của buổi diễn tập nhận {rows} dòng "
            f"từ bộ thu của nó (giờ phát theo đồng hồ của bộ thu, cột Đầu ra: cụm loa IP "
            f"{CLUSTER_ID})."
        )
