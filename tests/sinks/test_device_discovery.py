"""Listing and finding PortAudio output devices."""

from __future__ import annotations

import subprocess
import sys

import pytest

from broadcast.sinks.devices import DeviceNotFound, find_output_device, list_output_devices


def test_virtual_devices_are_listed_with_their_details():
    devices = {d.name: d for d in list_output_devices()}
    speaker = devices["test_speaker"]
    assert speaker.hostapi == "ALSA"
    assert speaker.max_output_channels >= 4
    assert speaker.default_samplerate == 48000


def test_a_device_is_found_by_name_part_or_index():
    speaker = find_output_device("TEST_SPEAKER")
    assert find_output_device(speaker.index) == speaker
    assert find_output_device("speaker, alsa").name in ("test_speaker", "test_speaker_file")


def test_unknown_or_ambiguous_names_say_so_in_vietnamese():
    with pytest.raises(DeviceNotFound, match='không tìm thấy thiết bị phát âm thanh "CM106"'):
        find_output_device("CM106")
    with pytest.raises(DeviceNotFound, match="khớp với nhiều thiết bị"):
        find_output_device("card4")
    with pytest.raises(DeviceNotFound, match="số 999"):
        find_output_device(999)


def test_program_works_without_portaudio_and_says_it_is_missing(tmp_path):
    # PortAudio's library cannot be found: sounddevice raises OSError on import.
    code = (
        "import ctypes.util, sys\n"
        "ctypes.util.find_library = lambda name: None\n"
        "from broadcast.cli import main\n"
        "import broadcast.sinks.portaudio, broadcast.sinks.file\n"
        "assert 'sounddevice' not in sys.modules\n"
        "sys.exit(main(['--home', sys.argv[1], 'devices']))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True
    )
    assert run.returncode == 1
    assert "không tìm thấy thư viện âm thanh PortAudio" in run.stderr
    assert "libportaudio2" in run.stderr
