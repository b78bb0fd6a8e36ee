"""The real audio path: SoundDeviceSink → PortAudio → ALSA → PulseAudio.

What a listener hears is recorded at the sound server's monitor (``card.listen``), after the
server's buffer; ALSA's capture file (before the server) only shows what was sent, and is used
here only where nothing should have been sent at all, or for the fast devices' errors.
"""

from __future__ import annotations

import time
import weakref

import numpy as np
import pytest
import soxr

from broadcast.config.model import Zone, ZoneOutput
from broadcast.sinks import routing
from broadcast.sinks.devices import find_output_device
from broadcast.sinks.portaudio import SoundDeviceSink
from broadcast.sinks.protocol import DEVICE_ERROR, PlayStatus, ZoneSpeakers
from tests.support.virtual_card import SAMPLE_RATE as RATE
from tests.support.virtual_card import faded, read_capture, sine, trim_silence


def db(gain_db: float, samples: np.ndarray) -> np.ndarray:
    return np.rint(samples * 10 ** (gain_db / 20)).astype(np.int16)


@pytest.mark.realtime
def test_every_sample_is_heard_to_the_last_before_the_play_is_reported_over(realtime_card):
    """Issue 13, defect 1: the stream was closed with its buffer still full; the listener lost
    the last ~170 ms of every item while the sink reported the whole item aired."""
    program = sine(1.0)
    with realtime_card.listen("test_realtime") as heard:
        result = SoundDeviceSink().start(
            program, RATE, [ZoneSpeakers("ward", "test_realtime", (1,))]
        )
        outcome = result.wait(10).for_zone("ward")
        reported_at = time.monotonic()
    assert outcome.status is PlayStatus.COMPLETED
    assert outcome.aired_seconds == pytest.approx(1.0)
    assert outcome.underruns == 0
    first, end = heard.sound_bounds()
    sound = heard.frames[first:end]
    assert len(sound) == len(program)  # nothing lost at the end
    assert np.array_equal(sound[:, 0], program)  # bit-exact, to the last sample
    assert not sound[:, 1].any()  # the other speaker stays silent
    assert heard.monotonic_time(end) <= reported_at  # "over" means heard, not handed over


@pytest.mark.realtime
def test_four_channel_card_routes_each_zone_to_its_channels_at_its_volume(realtime_card):
    program = sine(0.5)
    card_index = find_output_device("test_realtime4").index
    zones = [
        ZoneSpeakers("ward", "test_realtime4", (1,)),
        ZoneSpeakers("street-2", "test_realtime4", (2,), volume_db=-6),
        ZoneSpeakers("street-4", card_index, (4,), volume_db=-12.5),  # same card, by its number
    ]
    with realtime_card.listen("test_realtime4") as heard:
        result = SoundDeviceSink().start(program, RATE, zones).wait(10)
    assert len(result.outcomes) == 1  # one stream for the whole card
    assert result.completed
    sound = trim_silence(heard.frames)
    assert np.array_equal(sound[:, 0], program)
    assert np.array_equal(sound[:, 1], db(-6, program))
    assert not sound[:, 2].any()
    assert np.array_equal(sound[:, 3], db(-12.5, program))


@pytest.mark.realtime
def test_a_zone_alone_on_channel_3_of_a_four_channel_card_is_heard_there(realtime_card):
    """A 3-channel stream was remixed by the sound server: channel 3 reached no loudspeaker."""
    program = sine(0.4)
    with realtime_card.listen("test_realtime4") as heard:
        result = SoundDeviceSink().start(
            program, RATE, [ZoneSpeakers("street-3", "test_realtime4", (3,))]
        )
        assert result.wait(10).completed
    sound = trim_silence(heard.frames)
    assert np.array_equal(sound[:, 2], program)
    assert not sound[:, [0, 1, 3]].any()


def test_each_zone_knows_the_channels_its_device_s_zones_span():
    zones = [
        Zone("a", "A", ZoneOutput("USB Audio", (2,))),
        Zone("b", "B", ZoneOutput("USB Audio", (4,))),
        Zone("c", "C", ZoneOutput(1, (1,))),
    ]
    speakers = ZoneSpeakers.all_from(zones)
    assert [speakers[z].device_channels for z in "abc"] == [4, 4, 1]
    assert speakers["a"].channels == (2,)


@pytest.mark.realtime
def test_a_zone_on_one_side_of_a_four_channel_card_stays_off_the_other_zones(realtime_card):
    """A stereo stream on a 4-channel card was copied onto its rear pair by PulseAudio: the
    zone on channel 4 heard the zone on channel 2. A stream spans the card's zones instead."""
    program = sine(0.4)
    zone = ZoneSpeakers("street-2", "test_realtime4", (2,), device_channels=4)
    with realtime_card.listen("test_realtime4") as heard:
        assert SoundDeviceSink().start(program, RATE, [zone]).wait(10).completed
    sound = trim_silence(heard.frames)
    assert np.array_equal(sound[:, 1], program)
    assert not sound[:, [0, 2, 3]].any()


@pytest.mark.realtime
def test_zones_on_different_devices_play_in_parallel(realtime_card):
    program = sine(0.5)
    zones = [
        ZoneSpeakers("ward", "test_realtime", (1, 2)),
        ZoneSpeakers("street", "test_realtime4", (3,), volume_db=-3),
    ]
    with (
        realtime_card.listen("test_realtime") as speaker,
        realtime_card.listen("test_realtime4") as card,
    ):
        result = SoundDeviceSink().start(program, RATE, zones).wait(10)
    assert [o.zone_ids for o in result.outcomes] == [("ward",), ("street",)]
    assert result.completed
    assert np.array_equal(trim_silence(speaker.frames), np.column_stack([program, program]))
    four = trim_silence(card.frames)
    assert np.array_equal(four[:, 2], db(-3, program))
    assert not four[:, [0, 1, 3]].any()
    apart = abs(
        speaker.monotonic_time(speaker.sound_bounds()[0])
        - card.monotonic_time(card.sound_bounds()[0])
    )
    assert apart < 0.05  # together, not one after the other


def test_program_at_a_rate_the_device_refuses_is_resampled(captures):
    # The fast card (a plug in front of ALSA's null device) refuses it; a sound server would
    # take any rate and resample itself, so this is about what the sink sends.
    odd_rate = 768000  # above what ALSA accepts; the device's own rate is 48 kHz
    program = sine(0.25 * odd_rate / RATE)[: odd_rate // 4]
    result = SoundDeviceSink().start(program, odd_rate, [ZoneSpeakers("z", "test_speaker", (1,))])
    assert result.wait(10).completed
    sent = trim_silence(read_capture(captures["test_speaker"], 2))[:, 0]
    assert np.array_equal(sent, trim_silence(soxr.resample(program, odd_rate, RATE)))
    assert len(sent) == pytest.approx(RATE / 4, abs=2)


@pytest.mark.realtime
def test_stop_fades_out_and_the_whole_fade_is_heard_within_0_6_s(realtime_card):
    program = sine(5.0)
    fade = 0.25
    with realtime_card.listen("test_realtime") as heard:
        playback = SoundDeviceSink().start(
            program, RATE, [ZoneSpeakers("z", "test_realtime", (1,))]
        )
        time.sleep(0.6)
        asked = time.monotonic()
        playback.stop(fade)
        result = playback.wait(5)
        returned_after = time.monotonic() - asked
    outcome = result.for_zone("z")
    assert outcome.status is PlayStatus.STOPPED
    assert 0.6 <= outcome.aired_seconds <= 1.2
    aired = round(outcome.aired_seconds * RATE)
    first, _ = heard.sound_bounds()
    sound = heard.frames[first:, 0]
    # Every sample of the fade reached the loudspeaker, down to silence, and nothing after it.
    assert np.array_equal(
        sound[:aired], faded(program, aired - round(fade * RATE), round(fade * RATE))
    )
    assert not sound[aired:].any()
    silent_after = heard.monotonic_time(first + aired) - asked
    assert silent_after <= 0.6 and returned_after <= 0.65  # fade 0.25 s + the buffer


@pytest.mark.realtime
def test_a_play_started_ahead_is_heard_at_its_instant_to_the_millisecond(realtime_card):
    """Opening a device and a late thread took 6–16 ms off the daemon's timing (143 ms under
    load); a play started ahead waits on the stream's own clock and begins at its frame."""
    program = sine(0.5)
    sink = SoundDeviceSink()
    for _ in range(3):
        with realtime_card.listen("test_realtime") as heard:
            at = time.monotonic() + 0.4
            result = sink.start(program, RATE, [ZoneSpeakers("z", "test_realtime", (1,))], at=at)
            assert result.wait(10).completed
        first, end = heard.sound_bounds()
        assert np.array_equal(heard.frames[first:end, 0], program)
        assert heard.monotonic_time(first) - at == pytest.approx(0, abs=0.002)


@pytest.mark.realtime
def test_a_starved_device_is_counted_as_an_underrun(realtime_card, monkeypatch):
    """Issue 13, defect 7: under load the device ran dry, the listener heard a gap, and the
    play was reported whole. PortAudio's underflow flags are counted per play."""
    program = sine(2.0)
    reads = {"count": 0}
    read = routing.RoutedProgram.read

    def stalls_once(self, out):
        reads["count"] += 1
        if reads["count"] == 20:  # well into the play: a busy PC holds the callback back
            time.sleep(0.4)
        return read(self, out)

    monkeypatch.setattr(routing.RoutedProgram, "read", stalls_once)
    with realtime_card.listen("test_realtime") as heard:
        result = SoundDeviceSink().start(program, RATE, [ZoneSpeakers("z", "test_realtime", (1,))])
        outcome = result.wait(10).for_zone("z")
    assert outcome.underruns >= 1
    sound = trim_silence(heard.frames)[:, 0]
    assert (sound == 0).any()  # the gap the count stands for was really heard


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
    assert result.for_zone("ward").aired_seconds == pytest.approx(0.5)


def test_device_refusing_the_stream_is_a_device_error(captures, monkeypatch, tmp_path):
    monkeypatch.setenv("CARD4_CAPTURE_FILE", str(tmp_path / "no-such-folder" / "card4.raw"))
    zones = [ZoneSpeakers("street", "test_card4", (1,)), ZoneSpeakers("ward", "test_speaker", (1,))]
    result = SoundDeviceSink().start(sine(0.3), RATE, zones).wait(10)
    assert result.for_zone("street").reason == DEVICE_ERROR
    assert result.for_zone("ward").status is PlayStatus.COMPLETED


@pytest.mark.realtime
def test_device_vanishing_mid_play_is_a_device_error_and_others_go_on(realtime_card):
    program = sine(1.5)
    zones = [
        ZoneSpeakers("street", "test_unplug", (1,)),
        ZoneSpeakers("ward", "test_realtime", (1,)),
    ]
    try:
        with realtime_card.listen("test_realtime") as heard:
            playback = SoundDeviceSink().start(program, RATE, zones)
            time.sleep(0.5)
            realtime_card.kill_pulse("unplug")  # the USB card is pulled out
            result = playback.wait(10)
    finally:
        realtime_card.plug_in("unplug")  # put back for the tests after this one
    gone = result.for_zone("street")
    assert gone.status is PlayStatus.DEVICE_ERROR and gone.reason == DEVICE_ERROR
    assert 0.2 < gone.aired_seconds < 1.5
    assert result.for_zone("ward").status is PlayStatus.COMPLETED
    assert np.array_equal(trim_silence(heard.frames)[:, 0], program)


def test_two_zones_on_one_channel_are_refused_before_any_sound(captures):
    zones = [ZoneSpeakers("a", "test_card4", (1, 2)), ZoneSpeakers("b", "test_card4", (2,))]
    with pytest.raises(ValueError, match="share channel 2"):
        SoundDeviceSink().start(sine(0.2), RATE, zones)
    assert not captures["test_card4"].exists()


@pytest.mark.realtime
def test_a_stop_on_one_zone_of_a_card_leaves_the_other_zone_playing_to_its_end(realtime_card):
    """Issue 13, defect 2: an emergency for one zone stopped the whole card's stream, so every
    zone of the programme fell silent. Now only the zone asked for fades; the other plays on."""
    program = sine(2.0)
    fade = 0.25
    zones = [
        ZoneSpeakers("ward", "test_realtime4", (1,)),
        ZoneSpeakers("street-2", "test_realtime4", (2,)),
    ]
    with realtime_card.listen("test_realtime4") as heard:
        playback = SoundDeviceSink().start(program, RATE, zones)
        time.sleep(0.6)
        playback.stop(fade, zones={"ward"})
        result = playback.wait(5)
    ward, street = result.for_zone("ward"), result.for_zone("street-2")
    assert ward.status is PlayStatus.STOPPED and 0.5 < ward.aired_seconds < 1.4
    assert street.status is PlayStatus.COMPLETED
    assert street.aired_seconds == pytest.approx(2.0, abs=0.005)
    first, _ = heard.sound_bounds()
    sound = heard.frames[first:]
    assert np.array_equal(trim_silence(sound[:, 1:2])[:, 0], program)  # whole, bit-exact
    aired = round(ward.aired_seconds * RATE)
    assert np.array_equal(
        sound[:aired, 0], faded(program, aired - round(fade * RATE), round(fade * RATE))
    )
    assert not sound[aired:, 0].any()


def test_a_finished_play_lets_its_samples_go_while_its_stream_is_still_referenced(captures):
    """bench/idle.py: a sounddevice stream is a reference cycle holding its callback, so each
    play's samples stayed in the daemon until a full garbage collection (~12 MB a 2-min item)."""
    program = sine(0.3)
    samples = weakref.ref(program)
    playback = SoundDeviceSink().start(program, RATE, [ZoneSpeakers("z", "test_speaker", (1,))])
    assert playback.wait(10).completed
    del program
    assert samples() is None  # the playback (and its stream) still exist; the samples do not
