"""Listing and finding PortAudio output devices."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from broadcast.sinks.devices import (
    DeviceNotFound,
    find_output_device,
    list_output_devices,
    refresh_devices,
)
from broadcast.sinks.portaudio import SoundDeviceSink
from broadcast.sinks.protocol import ZoneSpeakers
from tests.support.virtual_card import SAMPLE_RATE, sine, trim_silence


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


@pytest.mark.realtime
def test_a_card_plugged_in_after_the_start_is_found_between_plays(realtime_card):
    """Issue 13, defect 6: PortAudio's device list was read once, at start; a USB card plugged
    in later was never used. It is read again when a zone's device is missing — but never while
    a stream plays, which that would close."""
    sink = SoundDeviceSink()
    late = ZoneSpeakers("pho-moi", "test_late", (1,))
    playing = ZoneSpeakers("phuong", "test_realtime", (1,))
    realtime_card.kill_pulse("late")
    refresh_devices()  # as at the daemon's start: the card is not there
    assert "test_late" not in {d.name for d in list_output_devices()}
    assert not sink.health([late])[0].playable
    program = sine(1.0)
    realtime_card.plug_in("late")
    try:
        with realtime_card.listen("test_realtime") as heard:
            playback = sink.start(program, SAMPLE_RATE, [playing])
            time.sleep(0.3)
            during = sink.health([late])  # a stream is open: no re-reading now
            result = playback.wait(10)
        assert not during[0].playable
        assert result.completed
        assert np.array_equal(trim_silence(heard.frames)[:, 0], program)  # not disturbed
        (found,) = sink.health([late])  # between plays: read again, and there it is
        assert found.playable and found.outlet == "test_late"
        with realtime_card.listen("test_late") as heard_late:
            assert sink.start(program, SAMPLE_RATE, [late]).wait(10).completed
        assert np.array_equal(trim_silence(heard_late.frames)[:, 0], program)
    finally:
        realtime_card.kill_pulse("late")
