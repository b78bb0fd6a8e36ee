"""The real audio path: SoundDeviceSink → PortAudio → ALSA, captured by the virtual card."""

from __future__ import annotations

import time

import numpy as np
import pytest
import soxr

from broadcast.sinks.devices import find_output_device
from broadcast.sinks.portaudio import SoundDeviceSink
from broadcast.sinks.protocol import DEVICE_ERROR, PlayStatus, ZoneSpeakers
from tests.support.virtual_card import read_capture, sine, trim_silence

RATE = 48000


def db(gain_db: float, samples: np.ndarray) -> np.ndarray:
    return np.rint(samples * 10 ** (gain_db / 20)).astype(np.int16)


def test_mono_program_on_one_zone_is_captured_bit_exactly(captures):
    program = sine(1.0)
    result = SoundDeviceSink().start(program, RATE, [ZoneSpeakers("ward", "test_speaker", (1,))])
    outcome = result.wait(10).for_zone("ward")
    assert outcome.status is PlayStatus.COMPLETED
    assert outcome.aired_seconds == pytest.approx(1.0)
    heard = trim_silence(read_capture(captures["test_speaker"], 2))
    assert np.array_equal(heard[:, 0], program)
    assert not heard[:, 1].any()  # the other speaker stays silent


def test_four_channel_card_routes_each_zone_to_its_channels_at_its_volume(captures):
    program = sine(0.5)
    card_index = find_output_device("test_card4").index
    zones = [
        ZoneSpeakers("ward", "test_card4", (1,)),
        ZoneSpeakers("street-2", "test_card4", (2,), volume_db=-6),
        ZoneSpeakers("street-4", card_index, (4,), volume_db=-12.5),  # same card, by its number
    ]
    result = SoundDeviceSink().start(program, RATE, zones).wait(10)
    assert len(result.outcomes) == 1  # one stream for the whole card
    assert result.completed
    heard = trim_silence(read_capture(captures["test_card4"], 4))
    assert np.array_equal(heard[:, 0], program)
    assert np.array_equal(heard[:, 1], db(-6, program))
    assert not heard[:, 2].any()
    assert np.array_equal(heard[:, 3], db(-12.5, program))


def test_zones_on_different_devices_play_in_parallel(captures):
    program = sine(0.5)
    zones = [
        ZoneSpeakers("ward", "test_speaker", (1, 2)),
        ZoneSpeakers("street", "test_card4", (3,), volume_db=-3),
    ]
    result = SoundDeviceSink().start(program, RATE, zones).wait(10)
    assert [o.zone_ids for o in result.outcomes] == [("ward",), ("street",)]
    assert result.completed
    speaker = trim_silence(read_capture(captures["test_speaker"], 2))
    assert np.array_equal(speaker, np.column_stack([program, program]))
    card = trim_silence(read_capture(captures["test_card4"], 4))
    assert np.array_equal(card[:, 2], db(-3, program))


def test_program_at_a_rate_the_device_refuses_is_resampled(captures):
    odd_rate = 768000  # above what ALSA accepts; the device's own rate is 48 kHz
    program = sine(0.25 * odd_rate / RATE)[: odd_rate // 4]
    result = SoundDeviceSink().start(program, odd_rate, [ZoneSpeakers("z", "test_speaker", (1,))])
    assert result.wait(10).completed
    heard = trim_silence(read_capture(captures["test_speaker"], 2))[:, 0]
    assert np.array_equal(heard, trim_silence(soxr.resample(program, odd_rate, RATE)))
    assert len(heard) == pytest.approx(RATE / 4, abs=2)


@pytest.mark.realtime
def test_stop_fades_out_within_half_a_second_and_reports_seconds_aired(realtime_card, captures):
    program = sine(5.0)
    playback = SoundDeviceSink().start(program, RATE, [ZoneSpeakers("z", "test_realtime", (1,))])
    time.sleep(0.6)
    asked = time.monotonic()
    playback.stop()
    result = playback.wait(5)
    assert time.monotonic() - asked <= 0.5
    outcome = result.for_zone("z")
    assert outcome.status is PlayStatus.STOPPED
    assert 0.6 <= outcome.aired_seconds <= 1.2
    heard = trim_silence(read_capture(captures["test_realtime"], 2))[:, 0]
    assert len(heard) / RATE == pytest.approx(outcome.aired_seconds, abs=0.01)
    tail = np.abs(heard[-RATE // 20 :]).max()  # the last 50 ms: nearly faded away
    assert tail < 0.25 * np.abs(program).max()


def test_missing_device_is_a_device_error_while_another_zone_plays(captures):
    program = sine(0.5)
    zones = [
        ZoneSpeakers("street", "USB Audio CM106", (2,)),
        ZoneSpeakers("ward", "test_speaker", (1,)),
    ]
    result = SoundDeviceSink().start(program, RATE, zones).wait(10)
    missing = result.for_zone("street")
    assert missing.status is PlayStatus.DEVICE_ERROR and missing.reason == DEVICE_ERROR
    assert "USB Audio CM106" in missing.error.message
    assert result.for_zone("ward").status is PlayStatus.COMPLETED
    heard = trim_silence(read_capture(captures["test_speaker"], 2))
    assert np.array_equal(heard[:, 0], program)


def test_device_refusing_the_stream_is_a_device_error(captures, monkeypatch, tmp_path):
    monkeypatch.setenv("CARD4_CAPTURE_FILE", str(tmp_path / "no-such-folder" / "card4.raw"))
    zones = [ZoneSpeakers("street", "test_card4", (1,)), ZoneSpeakers("ward", "test_speaker", (1,))]
    result = SoundDeviceSink().start(sine(0.3), RATE, zones).wait(10)
    assert result.for_zone("street").reason == DEVICE_ERROR
    assert result.for_zone("ward").status is PlayStatus.COMPLETED


@pytest.mark.realtime
def test_device_vanishing_mid_play_is_a_device_error_and_others_go_on(realtime_card, captures):
    program = sine(1.5)
    zones = [
        ZoneSpeakers("street", "test_unplug", (1,)),
        ZoneSpeakers("ward", "test_realtime", (1,)),
    ]
    playback = SoundDeviceSink().start(program, RATE, zones)
    time.sleep(0.5)
    realtime_card.kill_pulse("unplug")  # the USB card is pulled out
    result = playback.wait(10)
    gone = result.for_zone("street")
    assert gone.status is PlayStatus.DEVICE_ERROR and gone.reason == DEVICE_ERROR
    assert 0.3 < gone.aired_seconds < 1.5
    assert result.for_zone("ward").status is PlayStatus.COMPLETED
    heard = trim_silence(read_capture(captures["test_realtime"], 2))
    assert np.array_equal(heard[:, 0], program)


def test_two_zones_on_one_channel_are_refused_before_any_sound(captures):
    zones = [ZoneSpeakers("a", "test_card4", (1, 2)), ZoneSpeakers("b", "test_card4", (2,))]
    with pytest.raises(ValueError, match="share channel 2"):
        SoundDeviceSink().start(sine(0.2), RATE, zones)
    assert not captures["test_card4"].exists()
