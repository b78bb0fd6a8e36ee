"""FileSink: one WAV per play per zone, holding exactly what that zone would have heard."""

from __future__ import annotations

import time
import wave
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from broadcast.clock import FakeClock
from broadcast.sinks.file import FileSink
from broadcast.sinks.protocol import DEVICE_ERROR, PlayStatus, ZoneSpeakers
from tests.support.virtual_card import sine

RATE = 48000
WARD_TIME = FakeClock(datetime(2026, 3, 8, 6, 30, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))


def read_wav(path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2"), wav.getframerate()


def test_each_zone_gets_a_timestamped_wav_of_what_it_would_hear(tmp_path):
    program = sine(0.5)
    zones = [
        ZoneSpeakers("trung-tam", "USB Audio", (1,)),
        ZoneSpeakers("tdp-1", "USB Audio", (2,), volume_db=-6),
    ]
    sink = FileSink(tmp_path, realtime=False, clock=WARD_TIME)
    result = sink.start(program, RATE, zones, label="tin sáng").wait(1)
    assert result.completed and result.aired_seconds == pytest.approx(0.5)
    ward, rate = read_wav(tmp_path / "20260308-063005_trung-tam_tin-sáng.wav")
    street, _ = read_wav(tmp_path / "20260308-063005_tdp-1_tin-sáng.wav")
    assert rate == RATE
    assert np.array_equal(ward, program)
    assert np.array_equal(street, np.rint(program * 10 ** (-6 / 20)).astype(np.int16))


def test_a_second_play_in_the_same_second_does_not_overwrite_the_first(tmp_path):
    sink = FileSink(tmp_path, realtime=False, clock=WARD_TIME)
    for _ in range(2):
        sink.start(sine(0.1), RATE, [ZoneSpeakers("z", 0, (1,))]).wait(1)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "20260308-063005_z-2.wav",
        "20260308-063005_z.wav",
    ]


def test_a_240_letter_label_is_written_under_a_name_every_file_system_takes(tmp_path):
    """A script named with 240 Vietnamese letters (2-3 bytes each) made a name over the 255
    bytes a file system takes: "File name too long", and the zone's play failed."""
    words = ("Thông báo: lịch tiêm chủng/đợt một của phường " * 6)[:236]
    labels = [f"{words} lần một", f"{words} lần hai"]  # the same first 236 letters
    zone = ZoneSpeakers("trung-tam", 0, (1,))
    sink = FileSink(tmp_path, realtime=False, clock=WARD_TIME)
    program = sine(0.1)
    for label in labels:
        assert len(label) >= 240
        assert sink.start(program, RATE, [zone], label=label).wait(1).completed
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2  # told apart by the hash of the whole name, not by a counter
    for name in names:
        assert len(name.encode()) <= 255 and not set(name) & set("/:\n")
        assert name.startswith("20260308-063005_trung-tam_Thông-báo-lịch-tiêm-chủng-đợt-một")
        assert np.array_equal(read_wav(tmp_path / name)[0], program)


def test_a_folder_that_cannot_hold_the_file_fails_that_play_without_raising(tmp_path):
    """Over the system's path limit: the zone's play fails and says why; ``start`` itself
    raised before, and the whole slot was lost."""
    folder = tmp_path.joinpath(*["d" * 250] * 17)  # 4,250 bytes, over Linux's PATH_MAX
    outcome = (
        FileSink(folder, realtime=False, clock=WARD_TIME)
        .start(sine(0.1), RATE, [ZoneSpeakers("z", 0, (1,))], label="tin")
        .wait(1)
        .for_zone("z")
    )
    assert outcome.status is PlayStatus.DEVICE_ERROR
    assert "không ghi được tệp âm thanh" in str(outcome.error)


def test_float_programs_are_written_as_16_bit(tmp_path):
    program = np.array([0.0, 0.5, -0.5, 1.5, -1.5], dtype=np.float32)
    outcome = (
        FileSink(tmp_path, realtime=False, clock=WARD_TIME)
        .start(program, RATE, [ZoneSpeakers("z", 0, (1,))])
        .wait(1)
        .for_zone("z")
    )
    samples, _ = read_wav(outcome.device)
    assert samples.tolist() == [0, 16384, -16384, 32767, -32767]


@pytest.mark.slow  # paced at the real rate
def test_realtime_file_sink_takes_the_programs_time_and_can_be_faded_out(tmp_path):
    program = sine(3.0)
    playback = FileSink(tmp_path, clock=WARD_TIME).start(
        program, RATE, [ZoneSpeakers("z", 0, (1,))]
    )
    time.sleep(0.4)
    assert not playback.done()
    asked = time.monotonic()
    playback.stop()
    outcome = playback.wait(2).for_zone("z")
    assert time.monotonic() - asked <= 0.5
    assert outcome.status is PlayStatus.STOPPED
    assert 0.4 <= outcome.aired_seconds <= 1.0
    samples, _ = read_wav(outcome.device)
    assert len(samples) / RATE == pytest.approx(outcome.aired_seconds)
    assert np.abs(samples[-RATE // 20 :]).max() < 0.25 * np.abs(program).max()


@pytest.mark.slow  # paced at the real rate
def test_a_stop_on_one_zone_leaves_the_others_writing_to_the_end(tmp_path):
    program = sine(1.5)
    zones = [ZoneSpeakers("ward", 0, (1,)), ZoneSpeakers("street", 0, (2,))]
    playback = FileSink(tmp_path, clock=WARD_TIME).start(program, RATE, zones)
    time.sleep(0.4)
    playback.stop(zones={"street"})
    result = playback.wait(3)
    ward, street = result.for_zone("ward"), result.for_zone("street")
    assert ward.status is PlayStatus.COMPLETED
    assert np.array_equal(read_wav(ward.device)[0], program)
    assert street.status is PlayStatus.STOPPED and 0.3 <= street.aired_seconds <= 1.0
    assert len(read_wav(street.device)[0]) / RATE == pytest.approx(street.aired_seconds)


def test_unwritable_folder_is_a_device_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = FileSink(blocker, realtime=False).start(sine(0.1), RATE, [ZoneSpeakers("z", 0, (1,))])
    outcome = result.wait(1).for_zone("z")
    assert outcome.status is PlayStatus.DEVICE_ERROR and outcome.reason == DEVICE_ERROR
    assert "không ghi được" in outcome.error.message


def test_a_writer_that_dies_mid_program_is_a_device_error_never_played(tmp_path, monkeypatch):
    """Issue 12, defect 4: an exception outside ``write_block``'s own handling ended the writer
    and the attempt was logged "đã phát" with 0:00 aired."""
    calls = {"n": 0}
    real_writeframes = wave.Wave_write.writeframes

    def dies_on_the_third_block(self, data):
        calls["n"] += 1
        if calls["n"] == 3:
            raise wave.Error("the writer died")  # not an OSError: nothing expected it
        return real_writeframes(self, data)

    monkeypatch.setattr(wave.Wave_write, "writeframes", dies_on_the_third_block)
    program = sine(1.0)
    zone = ZoneSpeakers("z", 0, (1,))
    outcome = FileSink(tmp_path, realtime=False).start(program, RATE, [zone]).wait(5).for_zone("z")
    assert outcome.status is PlayStatus.DEVICE_ERROR
    assert outcome.error is not None and "ghi tệp âm thanh" in outcome.error.message
    assert outcome.aired_seconds < 1.0
