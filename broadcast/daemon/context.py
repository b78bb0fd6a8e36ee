"""What an airing needs from the daemon, handed to it as one value."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.clock import Clock
from broadcast.config import Config
from broadcast.daemon.air import AirControl
from broadcast.daemon.alarms import Alarms
from broadcast.daemon.segment_audio import SegmentAudioSource
from broadcast.playlog import PlayLog
from broadcast.scripts.model import Script
from broadcast.sinks.protocol import AudioSink, Playback, ZoneSpeakers

DEFAULT_RESUME_BACK_SECONDS = 5.0
DEFAULT_GRACE_SECONDS = 300.0


@dataclass(frozen=True)
class AirContext:
    """Everything a program needs to air; replaced as a whole when the inputs change."""

    config: Config
    scripts: Mapping[str, Script]
    audio: SegmentAudioSource
    sink: AudioSink  # the daemon's one sink; fallbacks, if any, are inside it
    speakers: Mapping[str, ZoneSpeakers]  # by zone id
    log: PlayLog
    air: AirControl
    clock: Clock
    alarms: Alarms
    excerpt_seconds: float | None = None  # rehearsals play only the start of each segment
    # How far back from its cut an item may be taken up (to the last pause in that reach).
    resume_back_seconds: float = DEFAULT_RESUME_BACK_SECONDS
    # How late an airing may still start (the daemon's grace period): one waiting for another
    # program on its zones longer than this is logged as missed.
    grace_seconds: float = DEFAULT_GRACE_SECONDS
    # Where approvals are read (``None``: ``log``): a rehearsal keeps a log of its own, but
    # what it may air is what the ward approved, in the ward's log.
    approvals: PlayLog | None = None
    # The scripts as the daemon holds them now (``None``: ``scripts``): an airing keeps the
    # context it started with, but the approval check just before each script plays judges
    # the text as it reads now, edited or not since the airing was planned.
    current_scripts: Callable[[], Mapping[str, Script]] | None = None

    @property
    def approval_log(self) -> PlayLog:
        return self.approvals if self.approvals is not None else self.log

    def script_now(self, script_id: str) -> Script | None:
        """``script_id`` as the daemon holds it now; as planned if it has left the folder."""
        current = self.current_scripts() if self.current_scripts is not None else self.scripts
        return current.get(script_id) or self.scripts.get(script_id)

    def play(
        self, samples: np.ndarray, zones: Sequence[str], label: str, at: float | None = None
    ) -> Playback:
        """Start ``samples`` (mono, SAMPLE_RATE) on these zones, heard from the
        ``time.monotonic()`` instant ``at`` (``None``: at once)."""
        speakers = [self.speakers[z] for z in zones]
        return self.sink.start(samples, SAMPLE_RATE, speakers, label, at)
