"""The instant an emergency's cut fell silent is the end the cut row records.

The emergency starts as soon as what it cut is heard silent; the cut playback's own thread
writes its row whenever it gets there, a moment later or a second later on a busy PC. The
record must not then say the emergency began before what it cut had ended. A real file sink
playing at the real rate (the fade is real), the real air control, a fake clock standing for
the wall clock so "a second later" is exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.clock import FakeClock
from broadcast.daemon.air import AirControl, Bulletin
from broadcast.scripts.model import Priority
from broadcast.sinks.file import FileSink
from broadcast.sinks.protocol import ZoneSpeakers

START = datetime.fromisoformat("2026-12-05T18:00:00+07:00")
TONE = (0.2 * np.sin(np.arange(SAMPLE_RATE * 20) * 2 * np.pi * 440 / SAMPLE_RATE)).astype(
    np.float32
)


def _emergency(zones: tuple[str, ...]) -> Bulletin:
    return Bulletin("khan-cap", zones, Priority.EMERGENCY, "Khẩn cấp", TONE, START)


def test_a_cut_zone_ends_when_the_emergency_heard_it_silent_not_when_its_row_is_written(
    tmp_path,
):
    clock = FakeClock(START)
    air = AirControl()
    sink = FileSink(tmp_path, realtime=True, clock=clock)
    speakers = [ZoneSpeakers(z, "file", (1,)) for z in ("to-1", "to-2")]
    channel = air.open_channel(["to-1", "to-2"])
    playback = air.attach(
        channel, ["to-1", "to-2"], lambda: sink.start(TONE, SAMPLE_RATE, speakers, "chuong-trinh")
    )
    assert playback is not None
    emergency = _emergency(("to-1",))

    cut = air.claim_for_emergency(emergency)
    air.wait_silent(cut, emergency, clock.now)
    heard_silent = clock.now()
    assert playback.silent({"to-1"}) and not playback.silent({"to-2"})
    clock.advance(timedelta(seconds=1))  # the emergency starts; the cut row is not written yet

    released = air.release_silent(channel)
    assert released.preempted == {"to-1": emergency}
    assert released.silent_at == {"to-1": heard_silent}
    playback.stop()
    playback.wait(5)
    assert air.end(channel).silent_at == {}  # to-2 was never cut: it ends when it is written


def test_a_device_that_never_falls_silent_gives_no_instant(tmp_path):
    """The emergency stops waiting after a while; its start is then no evidence the cut had
    ended, and the row keeps the time its player wrote it."""
    clock = FakeClock(START)
    air = AirControl()
    channel = air.open_channel(["to-1"])

    class NeverSilent:  # a card that takes the fade and never reports it done
        def stop(self, fade_seconds: float = 0.25, zones=None) -> None:
            pass

        def wait_silent(self, zones, timeout: float) -> bool:
            return False

    hung = NeverSilent()
    air.attach(channel, ["to-1"], lambda: hung)
    emergency = _emergency(("to-1",))
    cut = air.claim_for_emergency(emergency)
    air.wait_silent(cut, emergency, clock.now)
    assert air.end(channel).silent_at == {}
