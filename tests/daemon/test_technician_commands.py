"""``broadcast devices`` and ``broadcast test-zone`` end to end, through the virtual card."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from datetime import timedelta

import numpy as np
import pytest

from tests.daemon.daemon_project import make_project, start_daemon, ward_now, zone_yaml
from tests.support.virtual_card import read_capture, trim_silence

SCHEDULES = """\
zones:
  - id: trung-tam
    name: Cụm loa trung tâm
    output: {device: test_card4, channels: [1]}
  - id: tdp-1
    name: Tổ dân phố số 1
    output: {device: test_card4, channels: [2]}
    volume_db: -6
  - id: tdp-9
    name: Tổ dân phố số 9
    output: {device: "USB Audio CM106", channels: [1]}
"""


@pytest.fixture
def home(tmp_path):
    project = tmp_path / "ward"
    project.mkdir()
    (project / "schedules.yaml").write_text(SCHEDULES, encoding="utf-8")
    return project


def broadcast(home, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "broadcast", "--home", str(home), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )


def test_devices_lists_outputs_and_which_zone_uses_which(home):
    run = broadcast(home, "devices")
    assert run.returncode == 1, run.stderr  # tdp-9's card is missing: monitoring must see it
    (card_line,) = [
        line
        for line in run.stdout.splitlines()
        if line.startswith(tuple("0123456789")) and " test_card4 " in line
    ]
    assert "trung-tam (kênh 1); tdp-1 (kênh 2)" in card_line
    assert "Số kênh" in run.stdout
    assert 'Khu vực "tdp-9" (USB Audio CM106): không tìm thấy thiết bị' in run.stdout


def test_devices_json(home):
    run = broadcast(home, "devices", "--json")
    assert run.returncode == 1
    data = json.loads(run.stdout)
    card = next(d for d in data["devices"] if d["name"] == "test_card4")
    assert card["zones"] == ["trung-tam (kênh 1)", "tdp-1 (kênh 2)"]
    missing = next(z for z in data["zones"] if z["zone"] == "tdp-9")
    assert missing["device_index"] is None and "CM106" in missing["problem"]


def test_devices_exits_zero_when_every_zone_has_its_device(home):
    schedules = home / "schedules.yaml"
    configured = schedules.read_text(encoding="utf-8")
    schedules.write_text(configured.split("  - id: tdp-9")[0], encoding="utf-8")
    for args in ((), ("--json",)):
        run = broadcast(home, "devices", *args)
        assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.slow  # renders and plays the zone's name in a subprocess
def test_test_zone_plays_tone_and_name_on_that_zone_only(home, captures):
    run = broadcast(home, "test-zone", "tdp-1")
    assert run.returncode == 0, run.stderr
    assert "tdp-1" in run.stdout
    heard = trim_silence(read_capture(captures["test_card4"], 4))
    assert not heard[:, [0, 2, 3]].any()  # only the zone's own channel
    tone = heard[: 48000 // 2, 1].astype(float)
    # 1 kHz at -20 dBFS, then -6 dB for this zone: an RMS of 0.1 * 0.5 / sqrt(2) of full scale
    assert np.sqrt(np.mean(tone**2)) / 32767 == pytest.approx(0.1 * 0.5 / np.sqrt(2), rel=0.03)
    spectrum = np.abs(np.fft.rfft(tone))
    assert np.fft.rfftfreq(len(tone), 1 / 48000)[spectrum.argmax()] == pytest.approx(1000, abs=4)
    assert len(heard) / 48000 > 1.5  # the spoken name follows the one-second tone


@pytest.mark.slow  # renders the zone's name in a subprocess
def test_test_zone_into_files(home, tmp_path):
    out = tmp_path / "wav"
    run = broadcast(home, "test-zone", "trung-tam", "--sink", f"file:{out}")
    assert run.returncode == 0, run.stderr
    (written,) = out.iterdir()
    assert "trung-tam" in written.name
    with wave.open(str(written)) as wav:
        assert wav.getnchannels() == 1 and wav.getnframes() > 48000 * 1.5


@pytest.mark.slow  # two `broadcast` subprocesses
def test_test_zone_explains_unknown_zone_and_missing_device(home):
    unknown = broadcast(home, "test-zone", "tdp1")
    assert unknown.returncode == 1
    assert 'không có khu vực "tdp1"' in unknown.stderr and '"tdp-1"' in unknown.stderr
    missing = broadcast(home, "test-zone", "tdp-9")
    assert missing.returncode == 1
    assert "USB Audio CM106" in missing.stderr
    bad_sink = broadcast(home, "test-zone", "tdp-1", "--sink", "loa")
    assert bad_sink.returncode == 2


@pytest.mark.slow  # two `broadcast` subprocesses
def test_status_and_devices_give_the_same_verdict_on_a_zone_wanting_a_channel_the_card_lacks(
    tmp_path,
):
    """Once, ``status`` called such a zone healthy ("tốt") while ``devices`` reported the
    missing channel: both now ask the sink the same question. (The virtual card's plug devices
    report 128 channels, hence channel 200.)"""
    paths = make_project(
        tmp_path,
        [zone_yaml("trung-tam", "test_card4", [1]), zone_yaml("tdp-6", "test_card4", [200])],
        {"tiep-dan.txt": "Thông báo thử.\n"},
        slots={"chieu": ward_now() + timedelta(hours=6)},  # nothing airs meanwhile
    )
    devices = json.loads(broadcast(paths.home, "devices", "--json").stdout)
    said_by_devices = {z["zone"]: z["problem"] for z in devices["zones"]}
    daemon = start_daemon(paths, render_ahead=False)
    try:
        shown = broadcast(paths.home, "status", "--json")
        run = broadcast(paths.home, "status")
    finally:
        daemon.stop()
    said_by_status = {d["zone"]: d["problem"] for d in json.loads(shown.stdout)["devices"]}
    assert said_by_devices == said_by_status
    assert said_by_status["trung-tam"] is None
    assert "khu vực cần kênh 200" in said_by_status["tdp-6"]
    (row,) = [
        line
        for line in run.stdout.splitlines()
        if line.startswith("tdp-6") and "test_card4" in line  # its row in "Thiết bị"
    ]
    assert "kênh 200" in row and "tốt" not in row
