"""One contract, every ``AudioSink``: what the daemon relies on from wherever sound leaves.

Run against each implementation (the way APScheduler runs one suite over every data store):
the PortAudio sink through the virtual sound card, the WAV file sink (written at once and at
the real pace), and the fallback sink made of the two. Each case knows how to read back what a
zone really received — the sound server's monitor (what the loudspeaker played), the WAV file,
or, for the fast card that has no server, what ALSA was handed — so "completed" is checked
against the samples delivered, not against the sink's own word.
"""

from __future__ import annotations

import time
import wave
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from broadcast.sinks.fallback import FallbackSink
from broadcast.sinks.file import FileSink
from broadcast.sinks.portaudio import SoundDeviceSink
from broadcast.sinks.protocol import AudioSink, PlayStatus, ZoneSpeakers
from tests.support.virtual_card import (
    SAMPLE_RATE,
    MonitorRecording,
    VirtualCard,
    read_capture,
    sine,
    trim_silence,
)


@dataclass
class SinkCase:
    sink: AudioSink
    zone: ZoneSpeakers  # a zone this sink plays
    heard: Callable[[], np.ndarray]  # int16 mono the good zone received, padding trimmed
    realtime: bool  # plays at the real pace, so a stop lands mid-program
    broken: ZoneSpeakers  # a zone that cannot play (a missing device, a folder not writable)
    broken_sink: AudioSink  # the same sink where a zone can break alone; else one that broke
    # around a play whose sound is then read back: the monitor records only while inside
    listening: Callable[[], AbstractContextManager[object]] = field(default=nullcontext)


@dataclass
class _Loudspeaker:
    """What the real-time card's loudspeaker played, recorded at the sound server's monitor."""

    card: VirtualCard
    recording: MonitorRecording | None = None

    @contextmanager
    def listening(self) -> Iterator[None]:
        with self.card.listen("test_realtime") as self.recording:
            yield

    def heard(self) -> np.ndarray:
        assert self.recording is not None, "play inside case.listening()"
        return trim_silence(self.recording.frames)[:, 0]


def _wav_heard(folder: Path) -> Callable[[], np.ndarray]:
    def heard() -> np.ndarray:
        files = sorted(folder.glob("*.wav"))
        if not files:  # cut before its first sample: no file, nothing heard
            return np.zeros(0, dtype="<i2")
        (path,) = files
        with wave.open(str(path), "rb") as wav:
            assert (wav.getnchannels(), wav.getframerate()) == (1, SAMPLE_RATE)
            return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")

    return heard


def _captured(path: Path) -> Callable[[], np.ndarray]:
    return lambda: trim_silence(read_capture(path, 2))[:, 0]


def _unwritable(tmp_path: Path) -> Path:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the WAV folder should be", encoding="utf-8")
    return blocker / "wav"


def _portaudio(tmp_path, captures, card: VirtualCard) -> SinkCase:
    """The fast card: no sound server behind it, so what ALSA was handed stands for heard."""
    sink = SoundDeviceSink()
    return SinkCase(
        sink,
        ZoneSpeakers("phuong", "test_speaker", (1,)),
        _captured(captures["test_speaker"]),
        realtime=False,  # the null device behind test_speaker swallows audio at once
        broken=ZoneSpeakers("to-9", "khong-co-card-nay", (1,)),
        broken_sink=sink,
    )


def _portaudio_realtime(tmp_path, captures, card: VirtualCard) -> SinkCase:
    sink = SoundDeviceSink()
    loudspeaker = _Loudspeaker(card)
    return SinkCase(
        sink,
        ZoneSpeakers("phuong", "test_realtime", (1,)),
        loudspeaker.heard,
        realtime=True,
        broken=ZoneSpeakers("to-9", "khong-co-card-nay", (1,)),
        broken_sink=sink,
        listening=loudspeaker.listening,
    )


def _file(realtime: bool) -> Callable[..., SinkCase]:
    def make(tmp_path, captures, card: VirtualCard) -> SinkCase:
        folder = tmp_path / "wav"
        return SinkCase(
            FileSink(folder, realtime=realtime),
            ZoneSpeakers("phuong", "file", (1,)),
            _wav_heard(folder),
            realtime=realtime,
            # every zone of a file sink writes to one folder: it breaks for all at once
            broken=ZoneSpeakers("to-9", "file", (1,)),
            broken_sink=FileSink(_unwritable(tmp_path), realtime=realtime),
        )

    return make


def _fallback(tmp_path, captures, card: VirtualCard) -> SinkCase:
    """The station's sink: the card first; a zone whose card is missing and that allows it
    goes to WAV files. The broken zone allows no fallback, so nothing takes its sound."""
    folder = tmp_path / "fallback"
    sink = FallbackSink(SoundDeviceSink(), FileSink(folder, realtime=False))
    return SinkCase(
        sink,
        ZoneSpeakers("phuong", "khong-co-card-nay", (1,), fallback_to_file=True),
        _wav_heard(folder),
        realtime=False,
        broken=ZoneSpeakers("to-9", "khong-co-card-nay", (1,)),
        broken_sink=sink,
    )


CASES = {
    "portaudio": _portaudio,
    "portaudio-realtime": _portaudio_realtime,
    "file": _file(realtime=False),
    "file-realtime": _file(realtime=True),
    "fallback": _fallback,
}


# The real-time card is the realtime lane's; a file sink paced at the real rate is slow.
MARKS = {"portaudio-realtime": [pytest.mark.realtime], "file-realtime": [pytest.mark.slow]}


@pytest.fixture(params=[pytest.param(name, marks=MARKS.get(name, [])) for name in CASES])
def case(request, tmp_path, captures, card) -> SinkCase:
    if request.param == "portaudio-realtime":
        request.getfixturevalue("realtime_card")
    return CASES[request.param](tmp_path, captures, card)


def test_every_sample_reaches_the_zone_and_completed_means_delivered(case):
    program = sine(0.6)
    with case.listening():
        result = case.sink.start(program, SAMPLE_RATE, [case.zone], "hop-le").wait(10)
    outcome = result.for_zone(case.zone.zone_id)
    assert outcome.status is PlayStatus.COMPLETED
    assert outcome.aired_seconds == pytest.approx(0.6, abs=0.005)
    assert np.array_equal(case.heard(), program)


def test_start_returns_before_the_program_ends(case):
    program = sine(1.5)
    began = time.monotonic()
    playback = case.sink.start(program, SAMPLE_RATE, [case.zone])
    returned_after = time.monotonic() - began
    playback.wait(10)
    assert returned_after < 1.0


def test_a_stop_fades_out_and_says_how_far_it_got(case):
    if not case.realtime:
        pytest.skip("this sink finishes before a stop can reach it")
    program = sine(3.0)
    with case.listening():
        playback = case.sink.start(program, SAMPLE_RATE, [case.zone])
        time.sleep(0.6)
        playback.stop(fade_seconds=0.2)
        outcome = playback.wait(5).for_zone(case.zone.zone_id)
    assert outcome.status is PlayStatus.STOPPED
    assert 0.4 < outcome.aired_seconds < 2.0
    heard = case.heard()
    assert len(heard) < len(program)
    # aired is what the zone received, the whole fade included (the faded-out last few samples
    # round to zero and are trimmed with the silence)
    assert len(heard) / SAMPLE_RATE == pytest.approx(outcome.aired_seconds, abs=0.01)
    tail = np.abs(heard[-round(0.02 * SAMPLE_RATE) :].astype(np.int32))
    assert tail.max() < 0.2 * np.abs(program).max()  # faded, not cut


def test_a_stop_before_the_instant_asked_means_nothing_is_heard(case):
    if not case.realtime:
        pytest.skip("this sink plays at once, whatever the instant")
    with case.listening():
        playback = case.sink.start(sine(1.0), SAMPLE_RATE, [case.zone], at=time.monotonic() + 1)
        time.sleep(0.3)
        playback.stop()
        outcome = playback.wait(5).for_zone(case.zone.zone_id)
    assert outcome.status is PlayStatus.STOPPED
    assert outcome.aired_seconds == 0
    assert len(case.heard()) == 0


def test_a_zone_that_cannot_play_is_an_outcome_not_an_exception(case):
    result = case.broken_sink.start(sine(0.4), SAMPLE_RATE, [case.broken]).wait(10)
    outcome = result.for_zone(case.broken.zone_id)
    assert outcome.status is PlayStatus.DEVICE_ERROR
    assert outcome.error is not None and outcome.error.message
    assert outcome.aired_seconds == 0


def test_a_broken_zone_never_holds_up_the_others(case):
    if case.broken_sink is not case.sink:
        pytest.skip("every zone of this sink shares one outlet")
    program = sine(0.4)
    with case.listening():
        result = case.sink.start(program, SAMPLE_RATE, [case.zone, case.broken]).wait(10)
    assert result.for_zone(case.broken.zone_id).status is PlayStatus.DEVICE_ERROR
    assert result.for_zone(case.zone.zone_id).status is PlayStatus.COMPLETED
    assert np.array_equal(case.heard(), program)


def test_health_answers_each_zone_in_order_and_agrees_with_playing(case):
    (broken,) = case.broken_sink.health([case.broken])
    assert not broken.playable and broken.problem
    assert (
        case.broken_sink.start(sine(0.2), SAMPLE_RATE, [case.broken])
        .wait(10)
        .for_zone(case.broken.zone_id)
        .status
        is PlayStatus.DEVICE_ERROR
    )
    other = ZoneSpeakers(
        "to-2", case.zone.device, (2,), fallback_to_file=case.zone.fallback_to_file
    )
    answers = case.sink.health([other, case.zone])
    assert [h.zone_id for h in answers] == ["to-2", case.zone.zone_id]
    assert all(h.playable for h in answers)
    result = case.sink.start(sine(0.2), SAMPLE_RATE, [case.zone]).wait(10)
    assert result.for_zone(case.zone.zone_id).status is PlayStatus.COMPLETED
